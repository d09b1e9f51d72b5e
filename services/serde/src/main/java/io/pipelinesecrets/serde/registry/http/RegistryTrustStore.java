package io.pipelinesecrets.serde.registry.http;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import java.util.Objects;

/**
 * A key store file of trusted certificates, for a registry whose certificate is not signed by a certificate
 * authority the JDK trusts (a company CA, a self-signed certificate).
 *
 * @param location the file
 * @param password its password, or null if it has none (a PKCS12 store of certificates may have none)
 * @param type     {@code JKS} (the default, which in Java 17 reads PKCS12 files too) or {@code PKCS12}
 */
public record RegistryTrustStore(Path location, String password, String type) {

    public static final String DEFAULT_TYPE = "JKS";

    public RegistryTrustStore {
        Objects.requireNonNull(location, "trust store location");
        type = type == null || type.isBlank() ? DEFAULT_TYPE : type.trim().toUpperCase(Locale.ROOT);
    }

    /**
     * A TLS context trusting exactly the certificates in the store.
     *
     * @throws IllegalArgumentException naming the file and type (never the password) if it cannot be read
     */
    public SSLContext sslContext() {
        if (!Files.isReadable(location)) {
            throw new IllegalArgumentException("schema registry trust store " + location + " is missing or not"
                    + " readable");
        }
        try (InputStream in = Files.newInputStream(location)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            if (store.size() == 0) {
                throw new IllegalArgumentException("schema registry trust store " + location + " holds no"
                        + " certificates");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            // KeyStore's messages ("keystore password was incorrect", "Invalid keystore format") quote no secret.
            throw new IllegalArgumentException("cannot read schema registry trust store " + location + " as "
                    + type + " (wrong type or password?): " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    @Override
    public String toString() {
        return "TrustStore[location=" + location + ", type=" + type + ", password="
                + (password == null ? "none" : "(not shown)") + "]";
    }
}
