package dev.kale4j.converter.analysis;

import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.BodyDeclaration;
import com.github.javaparser.ast.body.CallableDeclaration;
import com.github.javaparser.ast.body.EnumConstantDeclaration;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.Parameter;
import com.github.javaparser.ast.body.RecordDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.body.VariableDeclarator;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.AssignExpr;
import com.github.javaparser.ast.expr.UnaryExpr;
import com.github.javaparser.ast.expr.LambdaExpr;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.NameExpr;
import com.github.javaparser.ast.expr.ObjectCreationExpr;
import com.github.javaparser.ast.expr.TypePatternExpr;
import com.github.javaparser.ast.expr.VariableDeclarationExpr;
import com.github.javaparser.ast.stmt.BlockStmt;
import com.github.javaparser.ast.stmt.CatchClause;
import com.github.javaparser.ast.stmt.ForEachStmt;
import com.github.javaparser.ast.stmt.ForStmt;
import com.github.javaparser.ast.stmt.LocalClassDeclarationStmt;
import com.github.javaparser.ast.stmt.LocalRecordDeclarationStmt;
import com.github.javaparser.ast.stmt.SwitchEntry;
import com.github.javaparser.ast.stmt.TryStmt;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import com.github.javaparser.ast.type.TypeParameter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Finds the names a piece of code uses but does not bind itself, with lexical scopes (blocks, loops,
 * lambdas, methods, catch clauses, try resources, class bodies). A loop's {@code i} or a lambda's
 * parameter is therefore never mistaken for a notebook variable, which would create false dependencies.
 * Without symbol resolution, {@code Math} in {@code Math.abs(x)} is reported as a used name too: callers
 * only care about names that some step declares.
 */
final class FreeNameCollector {
    final Set<String> names = new LinkedHashSet<>();
    final Set<String> methods = new LinkedHashSet<>();
    final Set<String> types = new LinkedHashSet<>();
    /** Free variables assigned ({@code x = ...}, {@code x += ...}, {@code x++}): the snippet redefines them. */
    final Set<String> assigned = new LinkedHashSet<>();

    private final Deque<Set<String>> scopes = new ArrayDeque<>();

    FreeNameCollector() {
        scopes.push(new HashSet<>());
    }

    /** Binds a name in the outermost scope (e.g. the variable a top-level declaration declares). */
    void bindTopLevel(String name) {
        scopes.getLast().add(name);
    }

    void walk(Node n) {
        if (n instanceof NameExpr ne) {
            use(ne.getNameAsString(), names);
        } else if (n instanceof AssignExpr ae && ae.getTarget() instanceof NameExpr target) {
            if (isFree(target.getNameAsString())) {
                assigned.add(target.getNameAsString());
            }
            n.getChildNodes().forEach(this::walk);
        } else if (n instanceof UnaryExpr ue && ue.getExpression() instanceof NameExpr target
                && (ue.isPrefix() || ue.isPostfix()) && ue.getOperator().name().contains("CREMENT")) {
            if (isFree(target.getNameAsString())) {
                assigned.add(target.getNameAsString());
            }
            n.getChildNodes().forEach(this::walk);
        } else if (n instanceof MethodCallExpr call) {
            if (call.getScope().isEmpty()) {
                use(call.getNameAsString(), methods);
            }
            call.getScope().ifPresent(this::walk);
            call.getTypeArguments().ifPresent(ts -> ts.forEach(this::walk));
            call.getArguments().forEach(this::walk);
        } else if (n instanceof ClassOrInterfaceType t) {
            ClassOrInterfaceType first = t;
            while (first.getScope().isPresent()) {
                first = first.getScope().get();
            }
            use(first.getNameAsString(), types);
            t.getTypeArguments().ifPresent(ts -> ts.forEach(this::walk));
            first.getTypeArguments().ifPresent(ts -> ts.forEach(this::walk));
        } else if (n instanceof AnnotationExpr) {
            // annotations never refer to notebook variables
        } else if (n instanceof BlockStmt || n instanceof ForStmt || n instanceof SwitchEntry) {
            scoped(() -> n.getChildNodes().forEach(this::walk));
        } else if (n instanceof VariableDeclarationExpr vde) {
            walk(vde.getElementType());
            for (VariableDeclarator v : vde.getVariables()) {
                v.getInitializer().ifPresent(this::walk);
                bind(v.getNameAsString());
            }
        } else if (n instanceof ForEachStmt fe) {
            walk(fe.getIterable());
            scoped(() -> {
                walk(fe.getVariable());
                walk(fe.getBody());
            });
        } else if (n instanceof LambdaExpr lambda) {
            scoped(() -> {
                lambda.getParameters().forEach(p -> bind(p.getNameAsString()));
                walk(lambda.getBody());
            });
        } else if (n instanceof CallableDeclaration<?> callable) {
            scoped(() -> {
                callable.getTypeParameters().forEach(tp -> bindType(tp));
                for (Parameter p : callable.getParameters()) {
                    walk(p.getType());
                    bind(p.getNameAsString());
                }
                callable.getChildNodes().stream()
                        .filter(c -> c instanceof BlockStmt)
                        .forEach(this::walk);
            });
        } else if (n instanceof CatchClause cc) {
            scoped(() -> {
                walk(cc.getParameter().getType());
                bind(cc.getParameter().getNameAsString());
                walk(cc.getBody());
            });
        } else if (n instanceof TryStmt ts) {
            scoped(() -> {
                ts.getResources().forEach(this::walk);
                walk(ts.getTryBlock());
            });
            ts.getCatchClauses().forEach(this::walk);
            ts.getFinallyBlock().ifPresent(this::walk);
        } else if (n instanceof TypePatternExpr tpe) {
            walk(tpe.getType());
            bind(tpe.getNameAsString());
        } else if (n instanceof LocalClassDeclarationStmt lc) {
            bindTypeName(lc.getClassDeclaration().getNameAsString());
            walk(lc.getClassDeclaration());
        } else if (n instanceof LocalRecordDeclarationStmt lr) {
            bindTypeName(lr.getRecordDeclaration().getNameAsString());
            walk(lr.getRecordDeclaration());
        } else if (n instanceof TypeDeclaration<?> td) {
            typeBody(td);
        } else if (n instanceof ObjectCreationExpr oce) {
            oce.getScope().ifPresent(this::walk);
            walk(oce.getType());
            oce.getArguments().forEach(this::walk);
            oce.getAnonymousClassBody().ifPresent(body -> scoped(() -> {
                body.forEach(this::bindMember);
                body.forEach(this::walk);
            }));
        } else {
            n.getChildNodes().forEach(this::walk);
        }
    }

    private void typeBody(TypeDeclaration<?> td) {
        scoped(() -> {
            bindTypeName(td.getNameAsString());
            if (td instanceof RecordDeclaration rd) {
                rd.getParameters().forEach(p -> {
                    walk(p.getType());
                    bind(p.getNameAsString());
                });
                rd.getTypeParameters().forEach(this::bindType);
            }
            if (td instanceof com.github.javaparser.ast.body.ClassOrInterfaceDeclaration cd) {
                cd.getTypeParameters().forEach(this::bindType);
                cd.getExtendedTypes().forEach(this::walk);
                cd.getImplementedTypes().forEach(this::walk);
            }
            if (td instanceof com.github.javaparser.ast.body.EnumDeclaration ed) {
                ed.getEntries().forEach(e -> bind(e.getNameAsString()));
                ed.getImplementedTypes().forEach(this::walk);
                for (EnumConstantDeclaration e : ed.getEntries()) {
                    e.getArguments().forEach(this::walk);
                    e.getClassBody().forEach(this::walk);
                }
            }
            td.getMembers().forEach(this::bindMember);
            td.getMembers().forEach(this::walk);
        });
    }

    private void bindMember(BodyDeclaration<?> member) {
        if (member instanceof FieldDeclaration fd) {
            fd.getVariables().forEach(v -> bind(v.getNameAsString()));
        } else if (member instanceof com.github.javaparser.ast.body.MethodDeclaration md) {
            scopes.peek().add("()" + md.getNameAsString());
        } else if (member instanceof TypeDeclaration<?> td) {
            bindTypeName(td.getNameAsString());
        }
    }

    private void bindType(TypeParameter tp) {
        bindTypeName(tp.getNameAsString());
    }

    private void bindTypeName(String name) {
        scopes.peek().add("<>" + name);
    }

    private void bind(String name) {
        scopes.peek().add(name);
    }

    private boolean isFree(String name) {
        for (Set<String> scope : scopes) {
            if (scope.contains(name)) {
                return false;
            }
        }
        return true;
    }

    private void use(String name, Set<String> into) {
        String key = into == methods ? "()" + name : into == types ? "<>" + name : name;
        for (Set<String> scope : scopes) {
            if (scope.contains(key)) {
                return;
            }
        }
        into.add(name);
    }

    private void scoped(Runnable body) {
        scopes.push(new HashSet<>());
        try {
            body.run();
        } finally {
            scopes.pop();
        }
    }
}
