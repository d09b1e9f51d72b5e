package io.pipelinesecrets.lifecycle.backend.aws;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

import java.time.Duration;

/**
 * Where a client's credentials come from: the default provider chain, or a role assumed through STS. A seam, so
 * tests can see which role a run's calls would use without an STS endpoint.
 */
public interface CredentialsFactory {

    AwsCredentialsProvider base();

    AwsCredentialsProvider forRole(String region, String roleArn);

    /**
     * The default chain; roles assumed with STS, cached by the provider and refreshed in the background
     * {@link #REFRESH_BEFORE_EXPIRY} before they expire.
     */
    static CredentialsFactory standard(String sessionName, String externalId) {
        AwsCredentialsProvider base = DefaultCredentialsProvider.builder().build();
        return new CredentialsFactory() {
            @Override
            public AwsCredentialsProvider base() {
                return base;
            }

            @Override
            public AwsCredentialsProvider forRole(String region, String roleArn) {
                StsClient sts = StsClient.builder().region(Region.of(region)).credentialsProvider(base).build();
                return StsAssumeRoleCredentialsProvider.builder()
                        .stsClient(sts)
                        .asyncCredentialUpdateEnabled(true)
                        .prefetchTime(REFRESH_BEFORE_EXPIRY)
                        .refreshRequest(request -> request.roleArn(roleArn).roleSessionName(sessionName)
                                .externalId(externalId).durationSeconds(3600))
                        .build();
            }
        };
    }

    Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(5);
}
