package dev.kale4j.converter;

import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.body.VariableDeclarator;
import com.github.javaparser.ast.expr.BooleanLiteralExpr;
import com.github.javaparser.ast.expr.DoubleLiteralExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.IntegerLiteralExpr;
import com.github.javaparser.ast.expr.LongLiteralExpr;
import com.github.javaparser.ast.expr.StringLiteralExpr;
import com.github.javaparser.ast.expr.TextBlockLiteralExpr;
import com.github.javaparser.ast.expr.UnaryExpr;
import com.github.javaparser.ast.expr.VariableDeclarationExpr;
import com.github.javaparser.ast.stmt.ExpressionStmt;
import com.github.javaparser.ast.stmt.Statement;
import dev.kale4j.annotator.Cell;
import dev.kale4j.annotator.InvalidNotebookException;
import dev.kale4j.converter.analysis.SnippetInfo;
import dev.kale4j.converter.analysis.SnippetKind;
import dev.kale4j.pipeline.Parameter;
import dev.kale4j.pipeline.ParameterType;
import java.util.ArrayList;
import java.util.List;

/** Reads a {@code pipeline-parameters} cell: literal assignments of int, long, double, boolean or String. */
final class ParameterCell {
    private ParameterCell() {
    }

    static List<Parameter> parse(Cell cell, List<SnippetInfo> snippets, List<Parameter> earlier) {
        List<Parameter> out = new ArrayList<>();
        for (SnippetInfo s : snippets) {
            if (s.kind() == SnippetKind.IMPORT) {
                continue;
            }
            String line = "line " + s.code().line() + ": ";
            if (s.kind() != SnippetKind.VARIABLE) {
                throw InvalidNotebookException.at(cell, line + "a pipeline-parameters cell holds only declarations"
                        + " such as `int epochs = 20;`, not `" + firstLine(s.code().source()) + "`");
            }
            Statement st = StaticJavaParser.parseStatement(s.code().source());
            VariableDeclarationExpr decl = (VariableDeclarationExpr) ((ExpressionStmt) st).getExpression();
            for (VariableDeclarator v : decl.getVariables()) {
                String name = v.getNameAsString();
                Expression init = v.getInitializer().orElseThrow(() -> InvalidNotebookException.at(cell,
                        line + "parameter `" + name + "` needs a literal default value"));
                Literal lit = literal(init);
                if (lit == null) {
                    throw InvalidNotebookException.at(cell, line + "parameter `" + name + "` = `" + init
                            + "` is not a literal; pipeline parameters are int, long, double, boolean or String"
                            + " literals (compute derived values in a step)");
                }
                String declared = v.getType().asString();
                ParameterType type = declared.equals("var") ? lit.type : ParameterType.ofJava(declared);
                if (type == null) {
                    throw InvalidNotebookException.at(cell, line + "parameter `" + name + "` has type " + declared
                            + "; pipeline parameters are int, long, double, boolean or String");
                }
                String value = coerce(type, lit, name, cell, line);
                if (earlier.stream().anyMatch(p -> p.name().equals(name)) || out.stream().anyMatch(p -> p.name().equals(name))) {
                    throw InvalidNotebookException.at(cell, line + "parameter `" + name + "` is declared twice");
                }
                out.add(new Parameter(name, type, value));
            }
        }
        return out;
    }

    private record Literal(ParameterType type, String text) {
    }

    private static Literal literal(Expression e) {
        if (e instanceof UnaryExpr u && u.getOperator() == UnaryExpr.Operator.MINUS) {
            Literal inner = literal(u.getExpression());
            if (inner == null || inner.type == ParameterType.STRING || inner.type == ParameterType.BOOLEAN) {
                return null;
            }
            return new Literal(inner.type, "-" + inner.text);
        }
        if (e instanceof IntegerLiteralExpr i) {
            return new Literal(ParameterType.INT, i.asNumber().toString());
        }
        if (e instanceof LongLiteralExpr l) {
            return new Literal(ParameterType.LONG, l.asNumber().toString());
        }
        if (e instanceof DoubleLiteralExpr d) {
            if (d.getValue().endsWith("f") || d.getValue().endsWith("F")) {
                return null;
            }
            return new Literal(ParameterType.DOUBLE, Double.toString(d.asDouble()));
        }
        if (e instanceof BooleanLiteralExpr b) {
            return new Literal(ParameterType.BOOLEAN, Boolean.toString(b.getValue()));
        }
        if (e instanceof StringLiteralExpr s) {
            return new Literal(ParameterType.STRING, s.asString());
        }
        if (e instanceof TextBlockLiteralExpr t) {
            return new Literal(ParameterType.STRING, t.asString());
        }
        return null;
    }

    /** Java's widening rules: an int literal may initialise a long or double parameter. */
    private static String coerce(ParameterType type, Literal lit, String name, Cell cell, String line) {
        if (type == lit.type) {
            return lit.text;
        }
        if (lit.type == ParameterType.INT && type == ParameterType.LONG) {
            return lit.text;
        }
        if ((lit.type == ParameterType.INT || lit.type == ParameterType.LONG) && type == ParameterType.DOUBLE) {
            return Double.toString(Double.parseDouble(lit.text));
        }
        throw InvalidNotebookException.at(cell, line + "parameter `" + name + "` is " + type.javaName()
                + " but its value is a " + lit.type.javaName() + " literal");
    }

    static String firstLine(String s) {
        String first = s.lines().findFirst().orElse("");
        return first.length() > 60 ? first.substring(0, 57) + "..." : first;
    }
}
