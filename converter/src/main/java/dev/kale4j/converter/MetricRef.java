package dev.kale4j.converter;

import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.NameExpr;
import dev.kale4j.annotator.Cell;
import dev.kale4j.annotator.InvalidNotebookException;
import java.util.ArrayList;
import java.util.List;

/** A variable named in a {@code pipeline-metrics} cell, as {@code System.out.println(x);} or a bare {@code x}. */
record MetricRef(String name, Cell cell, int line) {

    /** One variable per line: JShell would read two bare names on consecutive lines as a declaration. */
    static List<MetricRef> parse(Cell cell) {
        List<MetricRef> out = new ArrayList<>();
        List<String> lines = cell.source().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String src = lines.get(i).strip();
            if (src.isEmpty() || src.startsWith("//")) {
                continue;
            }
            int line = i + 1;
            String expr = src.endsWith(";") ? src.substring(0, src.length() - 1) : src;
            String name = null;
            try {
                Expression e = StaticJavaParser.parseExpression(expr);
                if (e instanceof NameExpr n) {
                    name = n.getNameAsString();
                } else if (e instanceof MethodCallExpr call && call.getNameAsString().equals("println")
                        && call.getScope().map(Object::toString).orElse("").equals("System.out")
                        && call.getArguments().size() == 1 && call.getArgument(0) instanceof NameExpr n) {
                    name = n.getNameAsString();
                }
            } catch (RuntimeException notAnExpression) {
                name = null;
            }
            if (name == null) {
                throw InvalidNotebookException.at(cell, "line " + line + ": a pipeline-metrics cell names"
                        + " one variable per line, as `System.out.println(x);` or `x`, not `"
                        + ParameterCell.firstLine(src) + "`");
            }
            out.add(new MetricRef(name, cell, line));
        }
        return out;
    }
}
