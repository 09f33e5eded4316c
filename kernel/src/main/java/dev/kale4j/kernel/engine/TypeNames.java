package dev.kale4j.kernel.engine;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The simple type names a snippet may refer to (capitalized identifiers that are not the member part of a
 * qualified name) and the types it declares at its top level, read from its tokens. Comments, strings, text
 * blocks and character literals are skipped. A false positive costs at most an unused import.
 */
record TypeNames(Set<String> referenced, Set<String> declared) {

    static TypeNames scan(String src) {
        Set<String> referenced = new LinkedHashSet<>();
        Set<String> declared = new LinkedHashSet<>();
        int depth = 0;
        boolean afterDot = false;
        String previous = "";
        int n = src.length();
        int i = 0;
        while (i < n) {
            char c = src.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
                int nl = src.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                i = skipQuoted(src, i + 3, "\"\"\"");
                afterDot = false;
                previous = "";
            } else if (c == '"' || c == '\'') {
                i = skipQuoted(src, i + 1, String.valueOf(c));
                afterDot = false;
                previous = "";
            } else if (Character.isJavaIdentifierStart(c)) {
                int start = i;
                while (i < n && Character.isJavaIdentifierPart(src.charAt(i))) {
                    i++;
                }
                String ident = src.substring(start, i);
                if (declares(previous, src, i)) {
                    if (depth == 0) {
                        declared.add(ident);
                    }
                } else if (!afterDot && Character.isUpperCase(ident.charAt(0))) {
                    referenced.add(ident);
                }
                previous = ident;
                afterDot = false;
            } else if (Character.isDigit(c)) {
                while (i < n && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_' || src.charAt(i) == '.')) {
                    i++;
                }
                afterDot = false;
                previous = "";
            } else {
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth = Math.max(0, depth - 1);
                }
                afterDot = c == '.';
                if (c != '@') {
                    previous = "";
                }
                i++;
            }
        }
        return new TypeNames(referenced, declared);
    }

    /** Whether the identifier ending at {@code end} is the name in a type declaration headed by {@code keyword}. */
    private static boolean declares(String keyword, String src, int end) {
        switch (keyword) {
            case "class", "interface", "enum" -> {
                return true;
            }
            case "record" -> {
                // "record" is a keyword only in front of a record's name and its header.
                int j = end;
                while (j < src.length() && Character.isWhitespace(src.charAt(j))) {
                    j++;
                }
                return j < src.length() && (src.charAt(j) == '(' || src.charAt(j) == '<');
            }
            default -> {
                return false;
            }
        }
    }

    private static int skipQuoted(String src, int from, String close) {
        int i = from;
        while (i < src.length()) {
            if (src.charAt(i) == '\\') {
                i += 2;
            } else if (src.startsWith(close, i)) {
                return i + close.length();
            } else if (close.length() == 1 && src.charAt(i) == '\n') {
                return i + 1; // an unterminated literal ends at the line; javac will say so
            } else {
                i++;
            }
        }
        return src.length();
    }
}
