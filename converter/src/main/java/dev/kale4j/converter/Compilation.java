package dev.kale4j.converter;

import dev.kale4j.pipeline.Pipeline;
import java.util.List;

/** A compiled pipeline and the notes worth telling the user (dependencies added from data use). */
public record Compilation(Pipeline pipeline, List<String> notes) {
    public Compilation {
        notes = List.copyOf(notes);
    }
}
