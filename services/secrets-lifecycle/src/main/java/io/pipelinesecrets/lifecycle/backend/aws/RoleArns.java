package io.pipelinesecrets.lifecycle.backend.aws;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** IAM role ARNs as configured in {@code aws.role-arns}: {@code arn:<partition>:iam::<12-digit account>:role/<path/name>}. */
final class RoleArns {

    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::(\\d{12}):role/[\\w+=,.@/-]{1,512}");
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

    private RoleArns() {
    }

    /** The account the role belongs to, or empty when {@code roleArn} is not an IAM role ARN. */
    static Optional<String> account(String roleArn) {
        Matcher matcher = ROLE_ARN.matcher(roleArn);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    static boolean isAccountId(String text) {
        return ACCOUNT_ID.matcher(text).matches();
    }
}
