package io.pipelinesecrets.lifecycle.backend.filesystem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pipelinesecrets.contracts.SafeText;
import io.pipelinesecrets.lifecycle.secrets.Secret;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.DUPLICATE_SECRET_NAME;
import static io.pipelinesecrets.lifecycle.backend.filesystem.FilesystemErrorCodes.SERIALISATION_FAILED;

/**
 * The file Nextflow's {@code LocalSecretsProvider} reads through {@code NXF_SECRETS_FILE}: a JSON array of
 * {@code {"name": ..., "value": ...}} objects. Entries are sorted by name (as Nextflow itself keeps them) so the
 * same set always gives the same bytes, whatever order the set was merged in.
 */
final class NextflowStoreFormat {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private NextflowStoreFormat() {
    }

    /** UTF-8 JSON holding the values in clear text; the caller writes it and then wipes the array. */
    static byte[] encode(List<Secret> secrets) throws StoreRefusal {
        Set<String> names = new HashSet<>();
        for (Secret secret : secrets) {
            if (!names.add(secret.name())) {
                throw StoreRefusal.permanent(DUPLICATE_SECRET_NAME, "the run's set holds secret '"
                        + SafeText.printable(secret.name()) + "' more than once");
            }
        }
        ArrayNode store = MAPPER.createArrayNode();
        secrets.stream()
                .sorted(Comparator.comparing(Secret::name))
                .forEach(secret -> store.addObject()
                        .put("name", secret.name())
                        .put("value", secret.value().reveal()));
        try {
            return MAPPER.writeValueAsBytes(store);
        } catch (JsonProcessingException e) {
            // Jackson quotes the offending text in its message, and that text may be a value: class name only.
            throw StoreRefusal.permanent(SERIALISATION_FAILED, "cannot encode the store: " + e.getClass().getName());
        }
    }
}
