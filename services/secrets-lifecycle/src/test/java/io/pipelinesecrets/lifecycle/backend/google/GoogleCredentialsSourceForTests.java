package io.pipelinesecrets.lifecycle.backend.google;

import com.google.auth.Credentials;

/** Credentials for tests against the double's plain-text endpoint, where the backend asks for none. */
public final class GoogleCredentialsSourceForTests {

    public static final GoogleCredentialsSource NONE = new GoogleCredentialsSource() {
        @Override
        public Credentials base() {
            throw new IllegalStateException("the double's endpoint takes no credentials");
        }

        @Override
        public Credentials impersonating(String serviceAccount) {
            throw new IllegalStateException("the double's endpoint takes no credentials");
        }
    };

    private GoogleCredentialsSourceForTests() {
    }
}
