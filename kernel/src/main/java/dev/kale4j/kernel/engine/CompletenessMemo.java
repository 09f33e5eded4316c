package dev.kale4j.kernel.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;

/**
 * Remembers JShell's {@code analyzeCompletion} answers for recently split texts. The answer depends on the text
 * alone (JShell only parses it: no attribution, no session state), and a notebook runs the same cells again and
 * again, while each call costs a javac parse task: 0.5-0.7 ms per line of a warm kernel, measured in
 * bench/RESULTS.md, before the cell's own compilation starts. Bounded in entries and text length so a long
 * session does not grow it. Callers hold the engine lock, as for every JShell call.
 */
final class CompletenessMemo {
    /** Texts longer than this are not kept: they are rare, and re-parsing them is cheap next to compiling them. */
    static final int MAX_TEXT = 4096;

    private final Map<String, CompletionInfo> recent;

    CompletenessMemo(int capacity) {
        this.recent = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CompletionInfo> eldest) {
                return size() > capacity;
            }
        };
    }

    CompletionInfo analyze(String text, SourceCodeAnalysis sca) {
        if (text.length() > MAX_TEXT) {
            return sca.analyzeCompletion(text);
        }
        CompletionInfo known = recent.get(text);
        if (known != null) {
            return known;
        }
        CompletionInfo info = sca.analyzeCompletion(text);
        recent.put(text, info);
        return info;
    }

    int size() {
        return recent.size();
    }
}
