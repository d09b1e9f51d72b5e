package io.pipelinesecrets.lifecycle.backend.google;

import com.google.auth.Credentials;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;

import java.util.List;

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

    /**
     * Credentials that say which identity was asked for ({@code own}, or the service account impersonated), for
     * tests that point the backend at a TLS endpoint nothing answers: the identity is chosen, then the call fails.
     */
    public static GoogleCredentialsSource recording(List<String> asked) {
        return new GoogleCredentialsSource() {
            @Override
            public Credentials base() {
                asked.add("own");
                return GoogleCredentials.create(new AccessToken("t", null));
            }

            @Override
            public Credentials impersonating(String serviceAccount) {
                asked.add(serviceAccount);
                return base();
            }
        };
    }

    private GoogleCredentialsSourceForTests() {
    }
}
