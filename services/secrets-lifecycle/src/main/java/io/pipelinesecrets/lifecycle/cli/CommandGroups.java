package io.pipelinesecrets.lifecycle.cli;

import picocli.CommandLine;

import java.util.List;

/** What a command that only groups subcommands (topics, runs, replay, schemas) says when run without one. */
final class CommandGroups {

    private CommandGroups() {
    }

    /** E.g. "Missing subcommand: completions or dead-letters (see --help)", naming the group's subcommands. */
    static CommandLine.ParameterException missingSubcommand(CommandLine.Model.CommandSpec spec) {
        List<String> names = List.copyOf(spec.subcommands().keySet());
        String choices = names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        return new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: " + choices + " (see --help)");
    }
}
