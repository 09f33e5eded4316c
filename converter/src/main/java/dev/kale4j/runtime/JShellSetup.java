package dev.kale4j.runtime;

import java.util.List;

/** What every kale4j JShell (kernel session or pipeline step) starts with, so code behaves alike in both. */
public final class JShellSetup {
    /** The {@code jshell} tool's default imports. */
    public static final List<String> DEFAULT_IMPORTS = List.of(
            "import java.io.*;",
            "import java.math.*;",
            "import java.net.*;",
            "import java.nio.file.*;",
            "import java.util.*;",
            "import java.util.concurrent.*;",
            "import java.util.function.*;",
            "import java.util.prefs.*;",
            "import java.util.regex.*;",
            "import java.util.stream.*;");

    private JShellSetup() {
    }
}
