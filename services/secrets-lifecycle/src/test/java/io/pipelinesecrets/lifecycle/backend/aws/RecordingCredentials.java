package io.pipelinesecrets.lifecycle.backend.aws;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The credentials seam for tests: static credentials the double accepts, and a record of every role the backend
 * asked to assume (region and ARN), standing in for STS.
 */
public final class RecordingCredentials implements CredentialsFactory {

    private final List<String> assumedRoles = new CopyOnWriteArrayList<>();
    private final AwsCredentialsProvider credentials =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test-key", "test-secret"));

    @Override
    public AwsCredentialsProvider base() {
        return credentials;
    }

    @Override
    public AwsCredentialsProvider forRole(String region, String roleArn) {
        assumedRoles.add(region + " " + roleArn);
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("assumed-" + Math.abs(roleArn.hashCode()), "s"));
    }

    public List<String> assumedRoles() {
        return List.copyOf(assumedRoles);
    }
}
