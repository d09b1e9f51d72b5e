package io.pipelinesecrets.lifecycle.cli;

import io.pipelinesecrets.lifecycle.dev.EmbeddedKafkaBroker;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;

/**
 * Runs everything on this machine: a real single-node Kafka broker with a persistent data directory. Stops
 * cleanly on Ctrl-C or SIGTERM; started again, it reuses the data directory.
 */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description = {
                "Run on the embedded default: a single-node KRaft Kafka broker in this process, with its data",
                "under --data-dir (reused on the next start). Ctrl-C stops it cleanly."})
final class DevCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the broker keeps its data (default: ${DEFAULT-VALUE}).",
            defaultValue = "${sys:user.home}/.pipeline-secrets/dev")
    Path dataDirectory;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092",
            description = "Broker port on localhost (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--controller-port", paramLabel = "PORT", defaultValue = "9093",
            description = "KRaft controller port on localhost (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDirectory, kafkaPort, controllerPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Stopping the embedded broker ...");
            out.flush();
            broker.close();
            out.println("Stopped cleanly. Data kept in " + broker.dataDirectory().toAbsolutePath());
            out.flush();
            stopped.countDown();
        }, "dev-shutdown"));

        out.println("Kafka broker ready: bootstrap.servers=" + broker.bootstrapServers());
        out.println("  cluster id " + broker.clusterId() + ", data in " + broker.dataDirectory().toAbsolutePath()
                + (broker.reusedData() ? " (reused)" : " (new)"));
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }
}
