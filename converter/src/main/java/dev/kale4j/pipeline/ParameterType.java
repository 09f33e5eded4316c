package dev.kale4j.pipeline;

import dev.kale4j.common.UserError;

/** The Java types a pipeline parameter may have; values are kept as canonical text. */
public enum ParameterType {
    INT("int"), LONG("long"), DOUBLE("double"), BOOLEAN("boolean"), STRING("String");

    private final String javaName;

    ParameterType(String javaName) {
        this.javaName = javaName;
    }

    public String javaName() {
        return javaName;
    }

    public static ParameterType ofJava(String name) {
        for (ParameterType t : values()) {
            if (t.javaName.equals(name) || (t == STRING && name.equals("java.lang.String"))) {
                return t;
            }
        }
        return null;
    }

    /** Parses a user-supplied value ({@code -p name=value}) into canonical text, or fails naming the parameter. */
    public String canonical(String parameter, String value) {
        try {
            return switch (this) {
                case INT -> Integer.toString(Integer.parseInt(value.trim()));
                case LONG -> Long.toString(Long.parseLong(value.trim().replaceFirst("[lL]$", "")));
                case DOUBLE -> Double.toString(Double.parseDouble(value.trim()));
                case BOOLEAN -> switch (value.trim().toLowerCase()) {
                    case "true" -> "true";
                    case "false" -> "false";
                    default -> throw new NumberFormatException();
                };
                case STRING -> value;
            };
        } catch (NumberFormatException e) {
            throw new UserError("parameter " + parameter + " is " + javaName + ", and \"" + value
                    + "\" is not a valid " + javaName + " value");
        }
    }

    /** The Java source literal for a canonical value. */
    public String literal(String canonical) {
        return switch (this) {
            case LONG -> canonical + "L";
            case STRING -> quote(canonical);
            default -> canonical;
        };
    }

    /** The value as a JSON-friendly Java object. */
    public Object value(String canonical) {
        return switch (this) {
            case INT -> Integer.parseInt(canonical);
            case LONG -> Long.parseLong(canonical);
            case DOUBLE -> Double.parseDouble(canonical);
            case BOOLEAN -> Boolean.parseBoolean(canonical);
            case STRING -> canonical;
        };
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
