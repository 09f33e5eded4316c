package dev.kale4j.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Validation of generated manifests against the real upstream schemas (test resources, see PROVENANCE.md), plus
 * a strict key check: the upstream schemas allow unknown keys, which the controllers then silently drop.
 */
public final class Schemas {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    public static final String ARGO_V4 = "cluster/argo/argo-workflows-v4.1.2-schema.json";
    public static final String ARGO_V3 = "cluster/argo/argo-workflows-v3.7.18-schema.json";
    public static final String KATIB = "cluster/katib/katib-v1beta1-swagger.json";
    public static final String KFP_API = "cluster/kfp/kfp-2.17.0-v2beta1-kfp_api_single_file.swagger.json";

    private Schemas() {
    }

    public static JsonNode resource(String path) {
        try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return (path.endsWith(".yaml") ? YAML : JSON).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema document with a root {@code $ref} to one of its definitions. */
    public static ObjectNode definition(String file, String definition) {
        ObjectNode root = ((ObjectNode) resource(file)).deepCopy();
        root.remove("oneOf");
        root.remove("type");
        if (file.contains("katib")) {
            // The Katib swagger references Kubernetes types it does not define: accept any object there.
            ObjectNode defs = (ObjectNode) root.get("definitions");
            for (String k : List.of("v1.ObjectMeta", "v1.ListMeta", "v1.unstructured.Unstructured", "v1.Container",
                    "v1.Time", "v1.HTTPGetAction")) {
                defs.putObject(k).put("type", "object");
            }
        }
        if (file.endsWith("swagger.json")) {
            // Swagger 2 definitions are JSON Schema draft 4.
            root.put("$schema", "http://json-schema.org/draft-04/schema#");
            root.remove("paths");
            root.remove("securityDefinitions");
            root.remove("security");
        }
        root.put("$ref", "#/definitions/" + definition);
        return root;
    }

    /** Schema validation messages for {@code doc} against {@code definition} in {@code file}. */
    public static Set<ValidationMessage> validate(String file, String definition, JsonNode doc) {
        return CACHE.computeIfAbsent(file + "#" + definition, k -> load(file, definition)).validate(doc);
    }

    private static final java.util.Map<String, JsonSchema> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    private static JsonSchema load(String file, String definition) {
        ObjectNode schemaNode = definition(file, definition);
        SpecVersion.VersionFlag version = file.endsWith("swagger.json") ? SpecVersion.VersionFlag.V4
                : SpecVersion.VersionFlag.V202012;
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().build();
        return JsonSchemaFactory.getInstance(version).getSchema(schemaNode, config);
    }

    /** Validates against a CRD's {@code openAPIV3Schema} (a YAML test resource). */
    public static Set<ValidationMessage> validateCrd(String crdFile, JsonNode doc) {
        JsonNode crd = resource(crdFile);
        ObjectNode schema = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema").deepCopy();
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema).validate(doc);
    }

    /**
     * Keys of {@code doc} that the schema does not declare: walks objects whose schema lists
     * {@code properties}, follows {@code $ref}, maps ({@code additionalProperties}) and arrays.
     */
    public static List<String> unknownKeys(JsonNode schemaRoot, JsonNode schema, JsonNode doc, String path) {
        List<String> out = new ArrayList<>();
        walk(schemaRoot, schema, doc, path, out);
        return out;
    }

    /**
     * Keys that neither Argo schema (3.7 nor 4.1) knows: a manifest meant for both may carry a key only one
     * version has (the 3.x ConfigMapKeySelector {@code key} of a memoization cache), never one neither has.
     */
    public static List<String> unknownArgoKeys(String definition, JsonNode doc) {
        List<String> v3 = unknownKeys(ARGO_V3, definition, doc);
        return unknownKeys(ARGO_V4, definition, doc).stream().filter(v3::contains).toList();
    }

    public static List<String> unknownKeys(String file, String definition, JsonNode doc) {
        ObjectNode root = definition(file, definition);
        return unknownKeys(root, root.path("definitions").path(definition), doc, "");
    }

    private static void walk(JsonNode root, JsonNode schema, JsonNode doc, String path, List<String> out) {
        schema = deref(root, schema);
        if (schema == null || schema.isMissingNode()) {
            return;
        }
        if (doc.isObject()) {
            JsonNode props = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            if (props != null) {
                for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (props.has(k)) {
                        walk(root, props.get(k), doc.get(k), path + "." + k, out);
                    } else if (additional != null && additional.isObject()) {
                        walk(root, additional, doc.get(k), path + "." + k, out);
                    } else if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                        out.add(path + "." + k);
                    }
                }
            } else if (additional != null && additional.isObject()) {
                for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    walk(root, additional, doc.get(k), path + "." + k, out);
                }
            }
        } else if (doc.isArray() && schema.has("items")) {
            int i = 0;
            for (JsonNode item : doc) {
                walk(root, schema.get("items"), item, path + "[" + i++ + "]", out);
            }
        }
    }

    private static JsonNode deref(JsonNode root, JsonNode schema) {
        for (int i = 0; i < 20 && schema != null && schema.has("$ref"); i++) {
            String ref = schema.get("$ref").asText();
            if (!ref.startsWith("#/definitions/")) {
                return null;
            }
            schema = root.path("definitions").get(ref.substring("#/definitions/".length()));
        }
        return schema;
    }
}
