//! The server's modules import each other in one direction only: this test reads every `crate::`,
//! `super::` and `self::` path in `src/`, builds the graph of which module uses which, and fails
//! on the first cycle it finds (printing it). It also pins the layering of ARCHITECTURE.md: the
//! transport may use the application, the application may use the store's ports, and never the
//! other way round.
//!
//! Unit-test modules are left out. A module is a file, except that the files of one store backend (`store::sqlite::*`,
//! `store::mysql::*`: one `impl` split over several files) count as one module.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`["app", "limits"]`) of a source file under `src/`; `None` for the crate roots.
fn module_of(src: &Path, file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if parts.is_empty() && (stem == "lib" || stem == "main") {
        return None;
    }
    if stem != "mod" {
        parts.push(stem.to_owned());
    }
    Some(parts)
}

/// The node a module belongs to: the module itself, or its store backend.
fn node_of(module: &[String]) -> String {
    let keep = match module {
        [store, backend, ..] if store == "store" && (backend == "sqlite" || backend == "mysql") => {
            2
        }
        _ => module.len(),
    };
    module[..keep].join("::")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Code without comments (line comments and doc comments; block comments are not used here)
/// and without the unit tests (a file's `#[cfg(test)]` module, last by convention).
fn code_of(text: &str) -> String {
    let text = text.split("\n#[cfg(test)]").next().unwrap_or(text);
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path that starts with `crate::`, `super::` or `self::`, grouped imports expanded one
/// level (`crate::app::{limits, profile::Profile}`).
fn paths_in(code: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    for root in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(root) {
            let start = from + at;
            from = start + root.len();
            if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
                continue;
            }
            let rest = &code[start + root.len()..];
            let head: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let head = head.trim_end_matches(':').to_owned();
            let mut segments: Vec<String> = if head.is_empty() {
                Vec::new()
            } else {
                head.split("::").map(str::to_owned).collect()
            };
            let after = &rest[head.len()..].trim_start_matches(':');
            let name = root.trim_end_matches("::").to_owned();
            if let Some(group) = after.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let item = item.trim();
                    if item.is_empty() {
                        continue;
                    }
                    let mut path = segments.clone();
                    path.extend(
                        item.split(" as ")
                            .next()
                            .unwrap_or("")
                            .split("::")
                            .map(|s| s.trim().to_owned())
                            .filter(|s| !s.is_empty() && s != "self" && s != "{"),
                    );
                    found.push((name.clone(), path));
                }
            } else {
                segments.retain(|s| !s.is_empty());
                found.push((name, std::mem::take(&mut segments)));
            }
        }
    }
    found
}

/// Whether `code` uses `name::…` as a path of its own (not after `::`, not inside a longer name).
fn names_bare(code: &str, name: &str) -> bool {
    let needle = format!("{name}::");
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(at) = code[from..].find(&needle) {
        let start = from + at;
        from = start + needle.len();
        let before = start.checked_sub(1).map(|i| bytes[i]);
        if !matches!(before, Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
            return true;
        }
    }
    false
}

/// Resolves a path found in `module` (declared in a `mod.rs` when `is_dir`) to an absolute
/// module path prefix.
fn resolve(module: &[String], is_dir: bool, root: &str, path: &[String]) -> Vec<String> {
    let mut base: Vec<String> = match root {
        "crate" => Vec::new(),
        "self" => {
            if is_dir {
                module.to_vec()
            } else {
                module[..module.len().saturating_sub(1)].to_vec()
            }
        }
        _ => module[..module.len().saturating_sub(1)].to_vec(),
    };
    let mut rest = path;
    // A file module's `self::x` is its own item; a directory's is a child module.
    if root == "self" && !is_dir {
        base = module.to_vec();
    }
    while let Some(first) = rest.first() {
        if first == "super" {
            base.pop();
            rest = &rest[1..];
        } else {
            break;
        }
    }
    base.extend(rest.iter().cloned());
    base
}

/// The longest known module that `path` starts with.
fn owning_module(modules: &BTreeSet<Vec<String>>, path: &[String]) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains(prefix))
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().filter_map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let is_dir = file.file_name().is_some_and(|n| n == "mod.rs");
        let from = node_of(&module);
        edges.entry(from.clone()).or_default();
        let text = std::fs::read_to_string(file).expect("read source");
        let code = code_of(&text);
        // A directory module may name its child modules without a prefix (`sqlite::open(..)`).
        if is_dir {
            for child in modules
                .iter()
                .filter(|m| m.len() == module.len() + 1 && m.starts_with(&module))
            {
                let name = child.last().map(String::as_str).unwrap_or("");
                if names_bare(&code, name) {
                    let to = node_of(child);
                    if to != from {
                        edges.entry(from.clone()).or_default().insert(to);
                    }
                }
            }
        }
        for (root, path) in paths_in(&code) {
            let target = resolve(&module, is_dir, &root, &path);
            let Some(owner) = owning_module(&modules, &target) else {
                continue;
            };
            let to = node_of(&owner);
            if to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// A cycle of the graph, if any (as the list of its nodes, first repeated at the end).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_owned(), Mark::Open);
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let at = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(cycle) = visit(next, edges, marks, stack) {
                        return Some(cycle);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in edges.keys() {
        if marks.get(node).copied().unwrap_or(Mark::New) == Mark::New {
            let mut stack = Vec::new();
            if let Some(cycle) = visit(node, edges, &mut marks, &mut stack) {
                return Some(cycle);
            }
        }
    }
    None
}

#[test]
fn the_server_modules_have_no_import_cycle() {
    let edges = graph();
    assert!(edges.len() > 30, "too few modules found: {edges:?}");
    if let Some(cycle) = find_cycle(&edges) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
}

/// Which top-level layers may be used by which: arrows point down only.
#[test]
fn layers_point_down_only() {
    // layer -> the layers it must never use
    let forbidden: [(&str, &[&str]); 5] = [
        ("config", &["cli", "server", "transport", "app", "store"]),
        ("store", &["cli", "server", "transport", "app"]),
        ("app", &["cli", "server", "transport"]),
        ("transport", &["cli", "server"]),
        (
            "metrics",
            &["cli", "server", "transport", "app", "store", "config"],
        ),
    ];
    let mut broken = Vec::new();
    let graph = graph();
    // The store's ports (its traits, records and the timeout wrapper) never use an adapter; only
    // `store::backend`, which picks one, does.
    let adapters = ["store::sqlite", "store::mysql"];
    for (from, targets) in &graph {
        let is_port = from.starts_with("store") && from != "store::backend";
        if is_port && !adapters.contains(&from.as_str()) {
            for to in targets.iter().filter(|t| adapters.contains(&t.as_str())) {
                broken.push(format!("{from} -> {to} (a port uses an adapter)"));
            }
        }
    }
    for (from, targets) in graph {
        let layer = from.split("::").next().unwrap_or("");
        for (checked, never) in &forbidden {
            if layer != *checked {
                continue;
            }
            for to in &targets {
                let to_layer = to.split("::").next().unwrap_or("");
                if never.contains(&to_layer) {
                    broken.push(format!("{from} -> {to}"));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "layer violations:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_checker_sees_a_cycle_and_resolves_relative_paths() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.insert("a".into(), ["b".into()].into());
    edges.insert("b".into(), ["c".into()].into());
    edges.insert("c".into(), ["a".into()].into());
    assert_eq!(
        find_cycle(&edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    edges.insert("c".into(), BTreeSet::new());
    assert_eq!(find_cycle(&edges), None);

    assert!(names_bare("let s = sqlite::open();", "sqlite"));
    assert!(!names_bare(
        "use crate::store::sqlite::X; rusqlite::Error",
        "sqlite"
    ));

    let module = vec!["app".to_owned(), "limits".to_owned(), "lockout".to_owned()];
    let found = paths_in("use super::keyed::BoundedStore;\nuse crate::app::{App, profile::Kind};");
    let resolved: Vec<Vec<String>> = found
        .iter()
        .map(|(root, path)| resolve(&module, false, root, path))
        .collect();
    assert_eq!(
        resolved,
        vec![
            vec!["app".to_owned(), "App".to_owned()],
            vec!["app".to_owned(), "profile".to_owned(), "Kind".to_owned()],
            vec![
                "app".to_owned(),
                "limits".to_owned(),
                "keyed".to_owned(),
                "BoundedStore".to_owned()
            ],
        ]
    );
}
