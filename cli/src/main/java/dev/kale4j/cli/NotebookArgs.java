package dev.kale4j.cli;

import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.converter.Compilation;
import dev.kale4j.converter.PipelineCompiler;
import java.nio.file.Path;

/** Reads and compiles the notebook a command names; notes go to stderr so stdout stays machine-readable. */
final class NotebookArgs {
    private NotebookArgs() {
    }

    static Compilation compile(Path notebook, java.io.PrintWriter err) {
        Compilation c = PipelineCompiler.compile(NotebookReader.read(notebook));
        c.notes().forEach(n -> err.println("note: " + n));
        err.flush();
        return c;
    }
}
