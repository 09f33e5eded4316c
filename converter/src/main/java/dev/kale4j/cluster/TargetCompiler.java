package dev.kale4j.cluster;

import dev.kale4j.annotator.Notebook;
import dev.kale4j.converter.Compilation;
import java.nio.file.Path;
import java.util.List;

/**
 * A cluster target of {@code kale4j compile --target NAME}: writes the manifests for one engine into
 * {@code outDir} and returns the written paths (the CLI prints them).
 */
public interface TargetCompiler {
    String name();

    List<Path> compile(Compilation compilation, Notebook notebook, CompileOptions options, Path outDir);
}
