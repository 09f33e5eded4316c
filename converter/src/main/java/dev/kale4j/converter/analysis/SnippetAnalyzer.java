package dev.kale4j.converter.analysis;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.Problem;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.BodyDeclaration;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.body.VariableDeclarator;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.VariableDeclarationExpr;
import com.github.javaparser.ast.stmt.ExpressionStmt;
import com.github.javaparser.ast.stmt.LocalClassDeclarationStmt;
import com.github.javaparser.ast.stmt.LocalRecordDeclarationStmt;
import com.github.javaparser.ast.stmt.Statement;
import dev.kale4j.annotator.Cell;
import dev.kale4j.annotator.InvalidNotebookException;
import dev.kale4j.pipeline.CodeBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses JShell snippets with JavaParser and reports what each declares at the top level and what it
 * uses. The snippet kinds mirror JShell's: a top-level {@code int x = 1;} declares a session variable,
 * a method or class declaration declares a session member, anything else is a statement or expression.
 */
public final class SnippetAnalyzer {
    private final JavaParser parser = new JavaParser(new ParserConfiguration()
            .setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17)
            .setAttributeComments(false));

    /** Splits and analyses every snippet of a cell; a syntax error names the cell and line. */
    public List<SnippetInfo> analyzeCell(Cell cell) {
        Optional<List<SnippetInfo>> fast = statementsOnly(cell);
        if (fast.isPresent()) {
            return fast.get();
        }
        List<SnippetInfo> out = new ArrayList<>();
        for (SnippetSplitter.Piece piece : SnippetSplitter.split(cell.source())) {
            CodeBlock code = new CodeBlock(cell.index(), cell.id(), piece.line(), piece.source());
            out.add(analyze(code, cell));
        }
        return out;
    }

    /**
     * The common case, a cell of statements and declarations of variables or local types, parsed once as
     * a block: statement boundaries in a block that parses are exactly where JShell would split, and the
     * parsed statements are analysed directly. Anything else (methods, imports, a trailing expression
     * without a semicolon, a syntax error) goes through JShell's own splitter.
     */
    private Optional<List<SnippetInfo>> statementsOnly(Cell cell) {
        String src = cell.source();
        if (src.isBlank() || src.contains("import ")) {
            return Optional.empty();
        }
        ParseResult<com.github.javaparser.ast.stmt.BlockStmt> block = parser.parseBlock("{\n" + src + "\n}");
        if (!block.isSuccessful() || block.getResult().isEmpty()) {
            return Optional.empty();
        }
        String[] lines = ("{\n" + src + "\n}").split("\n", -1);
        List<SnippetInfo> out = new ArrayList<>();
        for (Statement st : block.getResult().get().getStatements()) {
            Optional<com.github.javaparser.Range> range = st.getRange();
            if (range.isEmpty()) {
                return Optional.empty();
            }
            String text = slice(lines, range.get()).strip();
            CodeBlock code = new CodeBlock(cell.index(), cell.id(), range.get().begin.line - 1, text);
            out.add(statement(code, st));
        }
        return Optional.of(out);
    }

    private static String slice(String[] lines, com.github.javaparser.Range r) {
        StringBuilder sb = new StringBuilder();
        for (int l = r.begin.line; l <= r.end.line; l++) {
            String line = lines[l - 1];
            int from = l == r.begin.line ? r.begin.column - 1 : 0;
            int to = l == r.end.line ? Math.min(r.end.column, line.length()) : line.length();
            sb.append(line, Math.min(from, line.length()), Math.max(to, Math.min(from, line.length())));
            if (l < r.end.line) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** Parses one snippet; {@code cell} locates errors. */
    public SnippetInfo analyze(CodeBlock code, Cell cell) {
        String src = code.source();
        if (src.startsWith("import ") || src.startsWith("import\t")) {
            return info(code, SnippetKind.IMPORT, List.of(), List.of(), List.of(), List.of(), null);
        }
        ParseResult<Statement> stmt = parser.parseStatement(src);
        if (stmt.isSuccessful() && stmt.getResult().isPresent()) {
            return statement(code, stmt.getResult().get());
        }
        ParseResult<BodyDeclaration<?>> body = parser.parseBodyDeclaration(src);
        if (body.isSuccessful() && body.getResult().isPresent()) {
            Optional<SnippetInfo> decl = declaration(code, body.getResult().get());
            if (decl.isPresent()) {
                return decl.get();
            }
        }
        String expr = src.endsWith(";") ? src.substring(0, src.length() - 1) : src;
        ParseResult<Expression> e = parser.parseExpression(expr);
        if (e.isSuccessful() && e.getResult().isPresent()) {
            return info(code, SnippetKind.EXPRESSION, List.of(), List.of(), List.of(), List.of(), e.getResult().get());
        }
        throw syntaxError(cell, code, looksLikeDeclaration(src) ? body.getProblems() : stmt.getProblems());
    }

    private SnippetInfo statement(CodeBlock code, Statement s) {
        if (s instanceof ExpressionStmt es && es.getExpression() instanceof VariableDeclarationExpr vde) {
            List<String> names = new ArrayList<>();
            List<String> types = new ArrayList<>();
            for (VariableDeclarator v : vde.getVariables()) {
                names.add(v.getNameAsString());
                types.add(v.getType().asString());
            }
            return info(code, SnippetKind.VARIABLE, names, types, List.of(), List.of(), s);
        }
        if (s instanceof LocalClassDeclarationStmt lc) {
            return info(code, SnippetKind.TYPE, List.of(), List.of(), List.of(),
                    List.of(lc.getClassDeclaration().getNameAsString()), s);
        }
        if (s instanceof LocalRecordDeclarationStmt lr) {
            return info(code, SnippetKind.TYPE, List.of(), List.of(), List.of(),
                    List.of(lr.getRecordDeclaration().getNameAsString()), s);
        }
        return info(code, SnippetKind.STATEMENT, List.of(), List.of(), List.of(), List.of(), s);
    }

    private Optional<SnippetInfo> declaration(CodeBlock code, BodyDeclaration<?> d) {
        if (d instanceof MethodDeclaration md) {
            return Optional.of(info(code, SnippetKind.METHOD, List.of(), List.of(), List.of(md.getNameAsString()),
                    List.of(), d));
        }
        if (d instanceof TypeDeclaration<?> td) {
            return Optional.of(info(code, SnippetKind.TYPE, List.of(), List.of(), List.of(),
                    List.of(td.getNameAsString()), d));
        }
        if (d instanceof FieldDeclaration fd) {
            List<String> names = new ArrayList<>();
            List<String> types = new ArrayList<>();
            fd.getVariables().forEach(v -> {
                names.add(v.getNameAsString());
                types.add(v.getType().asString());
            });
            return Optional.of(info(code, SnippetKind.VARIABLE, names, types, List.of(), List.of(), d));
        }
        return Optional.empty();
    }

    private SnippetInfo info(CodeBlock code, SnippetKind kind, List<String> vars, List<String> varTypes,
                             List<String> methods, List<String> types, Node node) {
        FreeNameCollector c = new FreeNameCollector();
        if (node != null) {
            // A method or type may refer to itself (recursion); that is not a use of another snippet.
            methods.forEach(m -> c.bindTopLevel("()" + m));
            types.forEach(t -> c.bindTopLevel("<>" + t));
            c.walk(node);
        }
        vars.forEach(c.names::remove);
        // Assignments inside a method or class body happen when it is called, not when the snippet runs.
        boolean runsNow = kind == SnippetKind.STATEMENT || kind == SnippetKind.EXPRESSION || kind == SnippetKind.VARIABLE;
        return new SnippetInfo(code, kind, vars, varTypes, methods, types, c.names, c.methods, c.types,
                runsNow ? c.assigned : java.util.Set.of());
    }

    private static boolean looksLikeDeclaration(String src) {
        int brace = src.indexOf('{');
        int paren = src.indexOf('(');
        return brace > 0 && (paren < 0 || paren < brace) && !src.startsWith("if") && !src.startsWith("for")
                && !src.startsWith("while") && !src.startsWith("try") && !src.startsWith("switch");
    }

    private static InvalidNotebookException syntaxError(Cell cell, CodeBlock code, List<Problem> problems) {
        String detail = "syntax error";
        int line = code.line();
        if (!problems.isEmpty()) {
            Problem p = problems.get(0);
            String msg = p.getMessage().lines().findFirst().orElse("").trim();
            int expected = msg.indexOf(", expected");
            if (expected > 0) {
                msg = msg.substring(0, expected);
            }
            detail = "syntax error: " + msg.replaceFirst("^Parse error\\. ", "");
            Optional<Integer> at = p.getLocation().flatMap(l -> l.getBegin().getRange()).map(r -> r.begin.line);
            if (at.isPresent()) {
                line = code.line() + at.get() - 1;
            }
        }
        return InvalidNotebookException.at(cell, "line " + line + ": " + detail);
    }
}
