package io.pipelinesecrets.lifecycle.cli;

import picocli.CommandLine;

/** The version the shaded jar's manifest carries ("development" when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = PipelineSecretsCli.class.getPackage().getImplementationVersion();
        return new String[] {"pipeline-secrets " + (version == null ? "development" : version)};
    }
}
