package io.pipelinesecrets.events;

import org.apache.avro.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One folder of {@code .avsc} files laid out like {@code src/main/avro}: shared types in {@code common/},
 * event schemas beside it. Parsed in that order with one parser, as the avro-maven-plugin does.
 */
record SchemaFolder(Path root, Map<String, Schema> schemasByFullName) {

    static SchemaFolder load(Path root) {
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> byName = new TreeMap<>();
        for (Path file : avscFiles(root.resolve("common"))) {
            Schema schema = parse(parser, file);
            byName.put(schema.getFullName(), schema);
        }
        for (Path file : avscFiles(root)) {
            Schema schema = parse(parser, file);
            byName.put(schema.getFullName(), schema);
        }
        return new SchemaFolder(root, Map.copyOf(byName));
    }

    static SchemaFolder current() {
        return load(Path.of(System.getProperty("schemas.current", "src/main/avro")));
    }

    static List<SchemaFolder> released() {
        Path releasedRoot = Path.of(System.getProperty("schemas.released", "released"));
        try (Stream<Path> versions = Files.list(releasedRoot)) {
            return versions.filter(Files::isDirectory).sorted().map(SchemaFolder::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> avscFiles(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema parse(Schema.Parser parser, Path file) {
        try {
            return parser.parse(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
