package dev.kale4j.converter;

import dev.kale4j.annotator.Cell;
import dev.kale4j.annotator.InvalidNotebookException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** DAG helpers over {@code step -> its upstream steps}. */
public final class Graph {
    private Graph() {
    }

    /** Every step {@code step} depends on, directly or transitively. */
    public static Set<String> ancestors(String step, Map<String, Set<String>> deps) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> work = new ArrayDeque<>(deps.getOrDefault(step, Set.of()));
        while (!work.isEmpty()) {
            String s = work.pop();
            if (seen.add(s)) {
                work.addAll(deps.getOrDefault(s, Set.of()));
            }
        }
        return seen;
    }

    /**
     * The producers a step can see: searching upstream from {@code step}, each path stops at the first
     * producer on it (a producer shadows everything above it). Cost is bounded by the part of the graph
     * above the nearest producers, not by the whole ancestry.
     */
    static List<String> nearestUpstream(String step, java.util.Collection<String> producers,
                                        Function<String, Set<String>> depsOf) {
        Set<String> wanted = new java.util.HashSet<>(producers);
        Set<String> seen = new java.util.HashSet<>();
        List<String> found = new ArrayList<>();
        Deque<String> work = new ArrayDeque<>(depsOf.apply(step));
        while (!work.isEmpty()) {
            String s = work.pop();
            if (!seen.add(s)) {
                continue;
            }
            if (wanted.contains(s)) {
                found.add(s);
            } else {
                work.addAll(depsOf.apply(s));
            }
        }
        return found;
    }

    /** Throws naming the cycle and the cell where its first step starts. */
    static void checkAcyclic(Map<String, Set<String>> deps, Function<String, Cell> cellOf) {
        Map<String, Integer> state = new HashMap<>();
        for (String s : deps.keySet()) {
            List<String> path = new ArrayList<>();
            if (cycleFrom(s, deps, state, path)) {
                String first = path.get(path.size() - 1);
                int start = path.indexOf(first);
                List<String> cycle = path.subList(start, path.size());
                throw InvalidNotebookException.at(cellOf.apply(first), "the steps form a cycle: "
                        + String.join(" -> ", cycle) + "; remove one of the prev: tags along it");
            }
        }
    }

    private static boolean cycleFrom(String s, Map<String, Set<String>> deps, Map<String, Integer> state,
                                     List<String> path) {
        Integer st = state.get(s);
        if (st != null && st == 2) {
            return false;
        }
        path.add(s);
        if (st != null && st == 1) {
            return true;
        }
        state.put(s, 1);
        for (String d : deps.getOrDefault(s, Set.of())) {
            if (cycleFrom(d, deps, state, path)) {
                return true;
            }
        }
        state.put(s, 2);
        path.remove(path.size() - 1);
        return false;
    }

    /** Kahn's algorithm; among ready steps the one first in {@code notebookOrder} goes first. */
    static List<String> topologicalOrder(List<String> notebookOrder, Map<String, Set<String>> deps) {
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < notebookOrder.size(); i++) {
            position.put(notebookOrder.get(i), i);
        }
        Map<String, Integer> waiting = new HashMap<>();
        Map<String, List<String>> children = new HashMap<>();
        for (String s : notebookOrder) {
            Set<String> d = deps.getOrDefault(s, Set.of());
            waiting.put(s, d.size());
            d.forEach(p -> children.computeIfAbsent(p, k -> new ArrayList<>()).add(s));
        }
        java.util.PriorityQueue<String> ready = new java.util.PriorityQueue<>(java.util.Comparator.comparing(position::get));
        notebookOrder.stream().filter(s -> waiting.get(s) == 0).forEach(ready::add);
        List<String> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            String s = ready.poll();
            out.add(s);
            for (String c : children.getOrDefault(s, List.of())) {
                if (waiting.merge(c, -1, Integer::sum) == 0) {
                    ready.add(c);
                }
            }
        }
        return out;
    }
}
