package dev.kale4j.kernel.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a raw Javadoc comment (as JShell returns it: HTML with inline and block tags) as plain
 * text and as HTML for Jupyter's inspection reply.
 */
final class JavadocText {
    private static final Pattern BLOCK_TAG = Pattern.compile("^@(\\w+)\\s*(.*)$", Pattern.DOTALL);
    private static final Map<String, String> SECTION_NAMES = Map.of("param", "Parameters", "return", "Returns",
            "throws", "Throws", "exception", "Throws", "see", "See also", "since", "Since", "deprecated", "Deprecated",
            "apiNote", "API note", "implSpec", "Implementation requirements", "implNote", "Implementation note");

    private JavadocText() {
    }

    /** Main description and block tags of a comment. */
    private record Parsed(String description, Map<String, List<String>> sections) {
    }

    private static Parsed parse(String raw) {
        StringBuilder desc = new StringBuilder();
        Map<String, List<String>> sections = new LinkedHashMap<>();
        StringBuilder tag = null;
        List<String> tags = new ArrayList<>();
        boolean inPre = false;
        for (String line : raw.replace("\r", "").split("\n", -1)) {
            String l = line.startsWith(" ") ? line.substring(1) : line;
            if (l.contains("<pre")) {
                inPre = true;
            }
            if (l.contains("</pre>")) {
                inPre = false;
            }
            if (!inPre && l.stripLeading().startsWith("@")) {
                if (tag != null) {
                    tags.add(tag.toString());
                }
                tag = new StringBuilder(l.strip());
            } else if (tag != null) {
                tag.append('\n').append(l);
            } else {
                desc.append(l).append('\n');
            }
        }
        if (tag != null) {
            tags.add(tag.toString());
        }
        for (String t : tags) {
            Matcher m = BLOCK_TAG.matcher(t);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1);
            String body = m.group(2).strip();
            if (name.equals("param") || name.equals("throws") || name.equals("exception")) {
                String[] nb = body.split("\\s+", 2);
                body = nb[0] + " - " + (nb.length > 1 ? nb[1] : "");
            }
            sections.computeIfAbsent(SECTION_NAMES.getOrDefault(name, name), k -> new ArrayList<>()).add(body);
        }
        return new Parsed(desc.toString().strip(), sections);
    }

    /** Plain text: signature, description, then the block tags as labelled sections. */
    static String plain(String signature, String raw) {
        StringBuilder sb = new StringBuilder(signature).append('\n');
        if (raw == null || raw.isBlank()) {
            return sb.toString();
        }
        Parsed p = parse(raw);
        if (!p.description().isEmpty()) {
            sb.append('\n').append(htmlToText(inlineTags(p.description(), false))).append('\n');
        }
        for (Map.Entry<String, List<String>> e : p.sections().entrySet()) {
            sb.append('\n').append(e.getKey()).append(":\n");
            for (String item : e.getValue()) {
                sb.append("  ").append(htmlToText(inlineTags(item, false)).replace("\n", "\n  ")).append('\n');
            }
        }
        return sb.toString();
    }

    /** HTML: the signature as code, the description as written, block tags as a definition list. */
    static String html(String signature, String raw) {
        StringBuilder sb = new StringBuilder("<pre><code>").append(escape(signature)).append("</code></pre>\n");
        if (raw == null || raw.isBlank()) {
            return sb.toString();
        }
        Parsed p = parse(raw);
        if (!p.description().isEmpty()) {
            sb.append("<div>").append(inlineTags(p.description(), true)).append("</div>\n");
        }
        if (!p.sections().isEmpty()) {
            sb.append("<dl>\n");
            for (Map.Entry<String, List<String>> e : p.sections().entrySet()) {
                sb.append("<dt>").append(escape(e.getKey())).append("</dt>\n");
                for (String item : e.getValue()) {
                    sb.append("<dd>").append(inlineTags(item, true)).append("</dd>\n");
                }
            }
            sb.append("</dl>\n");
        }
        return sb.toString();
    }

    /** Replaces {@code {@code x}}, {@code {@link a#b label}} and friends by text or HTML. */
    static String inlineTags(String s, boolean html) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int start = s.indexOf("{@", i);
            if (start < 0) {
                out.append(s, i, s.length());
                break;
            }
            out.append(s, i, start);
            int depth = 0;
            int end = -1;
            for (int k = start; k < s.length(); k++) {
                char c = s.charAt(k);
                if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    end = k;
                    break;
                }
            }
            if (end < 0) {
                out.append(s, start, s.length());
                break;
            }
            String inner = s.substring(start + 2, end);
            String[] kv = inner.split("\\s+", 2);
            String kind = kv[0];
            String arg = kv.length > 1 ? kv[1].strip() : "";
            String text;
            boolean code;
            switch (kind) {
                case "code", "literal" -> {
                    text = arg;
                    code = kind.equals("code");
                }
                case "link", "linkplain", "value" -> {
                    String[] rl = arg.split("\\s+", 2);
                    String ref = rl[0].startsWith("#") ? rl[0].substring(1) : rl[0].replace('#', '.');
                    text = rl.length > 1 ? rl[1] : ref;
                    code = !kind.equals("linkplain") && rl.length == 1;
                }
                case "inheritDoc", "docRoot" -> {
                    text = "";
                    code = false;
                }
                case "index" -> {
                    String[] rl = arg.split("\\s+", 2);
                    text = rl[0].replace("\"", "");
                    code = false;
                }
                default -> {
                    text = arg;
                    code = false;
                }
            }
            if (html) {
                // code and literal hold text, not markup; link labels may hold markup.
                String body = kind.equals("code") || kind.equals("literal") ? escape(text) : text;
                out.append(code ? "<code>" + body + "</code>" : body);
            } else {
                out.append(kind.equals("code") || kind.equals("literal") ? escape(text) : text);
            }
            i = end + 1;
        }
        return out.toString();
    }

    /** HTML to readable text: paragraphs, list items and pre blocks kept, other tags removed. */
    static String htmlToText(String html) {
        StringBuilder out = new StringBuilder();
        Matcher pre = Pattern.compile("(?is)<pre[^>]*>(.*?)</pre>").matcher(html);
        int last = 0;
        while (pre.find()) {
            out.append(flow(html.substring(last, pre.start())));
            out.append("\n\n").append(unescape(pre.group(1).replaceAll("(?s)<[^>]+>", "")).strip()).append("\n\n");
            last = pre.end();
        }
        out.append(flow(html.substring(last)));
        return out.toString().replaceAll("\n{3,}", "\n\n").strip();
    }

    private static String flow(String s) {
        String t = s.replaceAll("(?i)<\\s*/?\\s*p\\s*/?>", "\n\n")
                .replaceAll("(?i)<\\s*li[^>]*>", "\n\n- ")
                .replaceAll("(?i)<\\s*br\\s*/?>", "\n")
                .replaceAll("(?i)<\\s*/?\\s*(ul|ol|dl|table|tr|h\\d)[^>]*>", "\n\n")
                .replaceAll("(?s)<[^>]+>", "");
        StringBuilder out = new StringBuilder();
        for (String para : t.split("\n\\s*\n")) {
            String p = para.replaceAll("\\s+", " ").strip();
            if (!p.isEmpty()) {
                out.append(p).append("\n\n");
            }
        }
        return unescape(out.toString());
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#64;", "@")
                .replace("&nbsp;", " ").replace("&amp;", "&");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
