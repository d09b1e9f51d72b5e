package io.pipelinesecrets.lifecycle.backend.google;

import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ImpersonatedCredentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Where the backend's Google credentials come from: Application Default Credentials (the metadata server on GKE and
 * Compute Engine, {@code GOOGLE_APPLICATION_CREDENTIALS} elsewhere), and for a compute environment bound to a
 * service account, short-lived credentials impersonating it ({@code roles/iam.serviceAccountTokenCreator} on it).
 */
public interface GoogleCredentialsSource {

    String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";
    /** Impersonated tokens live an hour, the longest Google grants without an organisation policy change. */
    int IMPERSONATED_LIFETIME_SECONDS = 3600;

    /** The service's own credentials. */
    Credentials base();

    /** Credentials of {@code serviceAccount}, obtained with the service's own. */
    Credentials impersonating(String serviceAccount);

    /** Application Default Credentials, looked up on first use, so a missing one fails calls, not start-up. */
    static GoogleCredentialsSource applicationDefault() {
        return new GoogleCredentialsSource() {
            private volatile GoogleCredentials base;

            @Override
            public Credentials base() {
                return adc();
            }

            @Override
            public Credentials impersonating(String serviceAccount) {
                return ImpersonatedCredentials.create(adc(), serviceAccount, null, List.of(CLOUD_PLATFORM),
                        IMPERSONATED_LIFETIME_SECONDS);
            }

            private GoogleCredentials adc() {
                if (base == null) {
                    try {
                        base = GoogleCredentials.getApplicationDefault().createScoped(List.of(CLOUD_PLATFORM));
                    } catch (IOException e) {
                        throw new UncheckedIOException("no Application Default Credentials: run on Google Cloud with"
                                + " a service account, or set GOOGLE_APPLICATION_CREDENTIALS", e);
                    }
                }
                return base;
            }
        };
    }
}
