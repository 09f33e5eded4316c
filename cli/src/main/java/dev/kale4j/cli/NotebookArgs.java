package dev.kale4j.cli;

import dev.kale4j.annotator.Notebook;
import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.converter.Compilation;
import dev.kale4j.converter.PipelineCompiler;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Reads and compiles the notebook a command names; notes go to stderr so stdout stays machine-readable. */
final class NotebookArgs {
    private NotebookArgs() {
    }

    record Compiled(Notebook notebook, Compilation compilation) {
    }

    static Compiled read(Path notebook, PrintWriter err) {
        Notebook nb = NotebookReader.read(notebook);
        Compilation c = PipelineCompiler.compile(nb);
        c.notes().forEach(n -> err.println("note: " + n));
        err.flush();
        return new Compiled(nb, c);
    }

    static Compilation compile(Path notebook, PrintWriter err) {
        return read(notebook, err).compilation();
    }
}
