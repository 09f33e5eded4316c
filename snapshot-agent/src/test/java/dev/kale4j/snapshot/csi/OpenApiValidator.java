package dev.kale4j.snapshot.csi;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks an object against a CRD's structural {@code openAPIV3Schema} the way the API server would on create:
 * types, required fields, enums, unknown fields (structural schemas prune them; we report them, since a
 * misspelled key would silently vanish) and the create-time {@code x-kubernetes-validations} rules used by
 * the snapshot CRDs (has()/!/&&/|| combinations and {@code size(self) > 0}; transition rules with
 * {@code oldSelf} do not apply on create).
 */
final class OpenApiValidator {
    private OpenApiValidator() {
    }

    static List<String> validate(JsonNode schema, JsonNode value) {
        List<String> errors = new ArrayList<>();
        check(schema, value, "", errors);
        return errors;
    }

    private static void check(JsonNode schema, JsonNode v, String path, List<String> errors) {
        String type = schema.path("type").asText("");
        boolean intOrString = schema.path("x-kubernetes-int-or-string").asBoolean(false);
        if (intOrString) {
            if (!v.isTextual() && !v.isIntegralNumber()) {
                errors.add(path + ": must be an integer or a string");
            }
            return;
        }
        switch (type) {
            case "object" -> {
                if (!v.isObject()) {
                    errors.add(path + ": must be an object");
                    return;
                }
                JsonNode props = schema.path("properties");
                for (JsonNode req : schema.path("required")) {
                    if (!v.has(req.asText())) {
                        errors.add(path + ": missing required field " + req.asText());
                    }
                }
                boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
                JsonNode additional = schema.get("additionalProperties");
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    String p = path + "." + f.getKey();
                    if (props.has(f.getKey())) {
                        check(props.get(f.getKey()), f.getValue(), p, errors);
                    } else if (additional != null && additional.isObject()) {
                        check(additional, f.getValue(), p, errors);
                    } else if (!preserve && !props.isMissingNode()) {
                        errors.add(p + ": unknown field (the API server would drop it)");
                    }
                }
                for (JsonNode rule : schema.path("x-kubernetes-validations")) {
                    String r = rule.path("rule").asText();
                    if (!r.contains("oldSelf") && !Cel.eval(r, v)) {
                        errors.add(path + ": " + rule.path("message").asText(r));
                    }
                }
            }
            case "array" -> {
                if (!v.isArray()) {
                    errors.add(path + ": must be an array");
                    return;
                }
                for (int i = 0; i < v.size(); i++) {
                    check(schema.path("items"), v.get(i), path + "[" + i + "]", errors);
                }
            }
            case "string" -> {
                if (!v.isTextual()) {
                    errors.add(path + ": must be a string");
                    return;
                }
                for (JsonNode rule : schema.path("x-kubernetes-validations")) {
                    String r = rule.path("rule").asText();
                    if (r.equals("size(self) > 0") && v.asText().isEmpty()) {
                        errors.add(path + ": " + rule.path("message").asText(r));
                    }
                }
            }
            case "integer" -> {
                if (!v.isIntegralNumber()) errors.add(path + ": must be an integer");
            }
            case "number" -> {
                if (!v.isNumber()) errors.add(path + ": must be a number");
            }
            case "boolean" -> {
                if (!v.isBoolean()) errors.add(path + ": must be a boolean");
            }
            default -> {
                // no type: anything goes
            }
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode e : schema.get("enum")) {
                found |= e.equals(v);
            }
            if (!found) {
                errors.add(path + ": " + v + " is not one of " + schema.get("enum"));
            }
        }
    }

    /** The tiny CEL subset the snapshot CRDs use on objects: has(self.f), !, &&, ||, parentheses. */
    static final class Cel {
        private final String s;
        private final JsonNode self;
        private int i;

        private Cel(String s, JsonNode self) {
            this.s = s;
            this.self = self;
        }

        static boolean eval(String rule, JsonNode self) {
            Cel c = new Cel(rule, self);
            boolean r = c.or();
            c.ws();
            if (c.i != c.s.length()) {
                throw new IllegalArgumentException("unsupported CEL rule: " + rule);
            }
            return r;
        }

        private boolean or() {
            boolean r = and();
            while (eat("||")) {
                boolean rhs = and();
                r = r || rhs;
            }
            return r;
        }

        private boolean and() {
            boolean r = unary();
            while (eat("&&")) {
                boolean rhs = unary();
                r = r && rhs;
            }
            return r;
        }

        private boolean unary() {
            if (eat("!")) {
                return !unary();
            }
            if (eat("(")) {
                boolean r = or();
                expect(")");
                return r;
            }
            expect("has(self.");
            int start = i;
            while (i < s.length() && Character.isJavaIdentifierPart(s.charAt(i))) {
                i++;
            }
            String field = s.substring(start, i);
            expect(")");
            return self.has(field);
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean eat(String tok) {
            ws();
            if (s.startsWith(tok, i)) {
                i += tok.length();
                return true;
            }
            return false;
        }

        private void expect(String tok) {
            if (!eat(tok)) {
                throw new IllegalArgumentException("unsupported CEL rule at " + i + ": " + s);
            }
        }
    }
}
