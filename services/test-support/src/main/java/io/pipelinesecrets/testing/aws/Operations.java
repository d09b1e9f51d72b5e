package io.pipelinesecrets.testing.aws;

import java.util.Set;

/** The Secrets Manager operations the double answers, by their wire name (the part after {@code secretsmanager.}). */
public final class Operations {

    public static final String CREATE_SECRET = "CreateSecret";
    public static final String DELETE_SECRET = "DeleteSecret";
    public static final String RESTORE_SECRET = "RestoreSecret";
    public static final String DESCRIBE_SECRET = "DescribeSecret";
    public static final String GET_SECRET_VALUE = "GetSecretValue";
    public static final String PUT_SECRET_VALUE = "PutSecretValue";
    public static final String TAG_RESOURCE = "TagResource";
    public static final String UNTAG_RESOURCE = "UntagResource";
    public static final String LIST_SECRETS = "ListSecrets";
    public static final String BATCH_GET_SECRET_VALUE = "BatchGetSecretValue";

    public static final Set<String> ALL = Set.of(CREATE_SECRET, DELETE_SECRET, RESTORE_SECRET, DESCRIBE_SECRET,
            GET_SECRET_VALUE, PUT_SECRET_VALUE, TAG_RESOURCE, UNTAG_RESOURCE, LIST_SECRETS, BATCH_GET_SECRET_VALUE);

    private Operations() {
    }

    static String requireKnown(String operation) {
        if (!ALL.contains(operation)) {
            throw new IllegalArgumentException("unknown Secrets Manager operation '" + operation + "'; known: "
                    + ALL.stream().sorted().toList());
        }
        return operation;
    }
}
