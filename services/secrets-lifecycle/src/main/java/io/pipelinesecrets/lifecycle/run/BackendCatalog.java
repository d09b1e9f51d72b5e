package io.pipelinesecrets.lifecycle.run;

import java.util.Optional;

/** Which backend serves a compute-environment platform, if any. */
@FunctionalInterface
public interface BackendCatalog {

    Optional<String> backendFor(String platform);
}
