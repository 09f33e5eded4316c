package dev.kale4j.converter.analysis;

import dev.kale4j.pipeline.CodeBlock;
import java.util.List;
import java.util.Set;

/**
 * What one snippet declares at the top level and which names it uses freely (not bound inside it).
 *
 * @param variables     top-level variables declared, in order
 * @param variableTypes declared type of each variable as written ({@code var} when inferred)
 * @param methods       top-level methods declared
 * @param types         top-level classes, records, interfaces and enums declared
 * @param usedNames     free simple names (variables, or the first part of a qualified type name)
 * @param usedMethods   methods called without a receiver
 * @param usedTypes     simple type names referenced
 * @param assigned      free variables a top-level statement assigns (it redefines them for later steps)
 */
public record SnippetInfo(
        CodeBlock code,
        SnippetKind kind,
        List<String> variables,
        List<String> variableTypes,
        List<String> methods,
        List<String> types,
        Set<String> usedNames,
        Set<String> usedMethods,
        Set<String> usedTypes,
        Set<String> assigned) {

    /** Every name this snippet declares (variables, methods, types). */
    public Set<String> declaredNames() {
        Set<String> all = new java.util.LinkedHashSet<>(variables);
        all.addAll(methods);
        all.addAll(types);
        return all;
    }

    /** Every name it uses of any kind. */
    public Set<String> allUses() {
        Set<String> all = new java.util.LinkedHashSet<>(usedNames);
        all.addAll(usedMethods);
        all.addAll(usedTypes);
        return all;
    }
}
