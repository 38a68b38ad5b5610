//! The architecture, checked: the import graph read from `src/` has the floors the README draws,
//! no module imports one on a higher floor, no folder has an import loop, the core never names a
//! front end or the browser, and no function or file outgrows the size the code is kept to.
//!
//! The sources are read as text: comments and string literals are blanked, `use` trees are
//! expanded, and every `crate::`, `super::` and `self::` path is resolved to the file that
//! defines the longest matching module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crate's modules bottom up. A module may use modules on lower floors and its own folder,
/// never one on its own floor or above. Keep in step with `src/lib.rs` and the README.
const FLOORS: &[&[&str]] = &[
    &["params", "rng", "record", "par", "verdict"],
    &["budget", "data", "eval", "protocol"],
    &["learn", "render"],
    &["sweep"],
    &["url"],
    &["presets"],
    &["cli", "web"],
];

/// Modules that make up the pure core: no front end and no browser.
const CORE: &[&str] = &[
    "params", "rng", "record", "par", "verdict", "budget", "data", "eval", "protocol", "render",
    "learn", "sweep", "url", "presets",
];

/// What the training and grid code must not know: the link format.
const LINK_FREE: &[&str] = &["learn", "sweep"];

const MAX_FUNCTION_LINES: usize = 80;
const MAX_FILE_LINES: usize = 500;
/// The one file allowed past `MAX_FILE_LINES`: the parameter table, one row per knob.
const TABLE_FILE: &str = "params/mod.rs";

struct Source {
    /// Relative to `src/`, with `/` separators.
    rel: String,
    /// The module path, e.g. `["learn", "kernels", "conv"]`.
    module: Vec<String>,
    /// The text with comments, literals and `#[cfg(test)]` modules blanked (line breaks kept).
    code: String,
    lines: usize,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap();
            Source {
                module: module_of(&rel),
                lines: text.lines().count(),
                code: without_test_modules(&blank_comments_and_literals(&text)),
                rel,
            }
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_of(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Files outside the library's module tree (the binaries) or only compiled for tests.
fn is_binary(rel: &str) -> bool {
    rel == "main.rs" || rel.starts_with("bin/") || rel.ends_with("/tests.rs")
}

/// `#[cfg(test)] mod … { … }` blanked: tests may reach anywhere.
fn without_test_modules(code: &str) -> String {
    let mut code = code.to_string();
    while let Some(start) = code
        .match_indices("#[cfg(test)]")
        .map(|(p, _)| p)
        .find(|&p| {
            let after = code[p + 12..].trim_start();
            ["mod ", "pub mod ", "pub(crate) mod "]
                .iter()
                .any(|m| after.starts_with(m))
                && after.find('{').is_some_and(|b| !after[..b].contains(';'))
        })
    {
        let open = start + code[start..].find('{').unwrap();
        let close = matching_brace(&code, open);
        let blank: String = code[start..=close]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        code.replace_range(start..=close, &blank);
    }
    code
}

/// Comments, string and character literals become spaces; line breaks stay, so line numbers
/// and brace structure survive.
fn blank_comments_and_literals(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }))
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let end = if rest.starts_with(b"//") {
            rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            find(rest, b"*/", 2).map_or(rest.len(), |p| p + 2)
        } else if rest.starts_with(b"r#\"") || rest.starts_with(b"br#\"") {
            let open = rest.iter().position(|&c| c == b'"').unwrap();
            let hashes = open - rest.iter().position(|&c| c == b'#').unwrap();
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            find(rest, &close, open + 1).map_or(rest.len(), |p| p + close.len())
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            (j + 1).min(rest.len())
        } else if rest[0] == b'\'' && rest.len() > 2 && (rest[1] == b'\\' || rest[2] == b'\'') {
            // A character literal; `'a` without a closing quote is a lifetime and stays.
            let from = if rest[1] == b'\\' { 3 } else { 2 };
            find(rest, b"'", from).map_or(rest.len(), |p| p + 1)
        } else {
            out.push(rest[0]);
            i += 1;
            continue;
        };
        blank(&mut out, &rest[..end]);
        i += end;
    }
    String::from_utf8(out).unwrap()
}

fn prev_is_ident(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    (from..=hay.len().saturating_sub(needle.len())).find(|&p| hay[p..].starts_with(needle))
}

/// Every path a file names, as (path segments, whether it is a `pub use` re-export).
fn paths_named(code: &str) -> Vec<(Vec<String>, bool)> {
    let mut found = Vec::new();
    let mut rest = code;
    // `use` statements, expanded; the rest of the text is scanned for inline paths.
    let mut inline = String::new();
    while let Some(p) = find_use(rest) {
        inline.push_str(&rest[..p.start]);
        let stmt = &rest[p.start..p.end];
        let public = stmt.trim_start().starts_with("pub");
        let tree = &stmt[stmt.find("use ").unwrap() + 4..stmt.len() - 1];
        let mut expanded = Vec::new();
        expand_use_tree(&mut Vec::new(), tree, &mut expanded);
        found.extend(expanded.into_iter().map(|path| (path, public)));
        rest = &rest[p.end..];
    }
    inline.push_str(rest);
    for root in ["crate::", "super::", "self::"] {
        let mut at = 0;
        while let Some(p) = inline[at..].find(root) {
            let start = at + p;
            at = start + root.len();
            // `$crate::` in a macro body names the caller's side, not this file's.
            if prev_is_ident(inline.as_bytes(), start)
                || inline[..start].ends_with("::")
                || inline[..start].ends_with('$')
            {
                continue;
            }
            let path: String = inline[start..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let segments = path
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            found.push((segments, false));
        }
    }
    found
}

struct Span {
    start: usize,
    end: usize,
}

/// The next `use …;` statement (with any `pub` or `pub(…)` before it).
fn find_use(code: &str) -> Option<Span> {
    let bytes = code.as_bytes();
    let mut at = 0;
    while let Some(p) = code[at..].find("use ") {
        let start = at + p;
        at = start + 4;
        if prev_is_ident(bytes, start) {
            continue;
        }
        let line_start = code[..start].rfind('\n').map_or(0, |n| n + 1);
        let before = code[line_start..start].trim();
        let stmt_start = if before.is_empty() {
            start
        } else if before.starts_with("pub") && !before.contains(['{', ';', '=']) {
            line_start + code[line_start..].find("pub").unwrap()
        } else if before.starts_with("#[") && before.ends_with(']') {
            start
        } else {
            continue;
        };
        let end = start + code[start..].find(';')? + 1;
        return Some(Span {
            start: stmt_start,
            end,
        });
    }
    None
}

fn expand_use_tree(prefix: &mut Vec<String>, tree: &str, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let inner = &tree[open + 1..tree.rfind('}').unwrap()];
        let depth = prefix.len();
        prefix.extend(head);
        for part in split_top_level(inner) {
            expand_use_tree(prefix, part, out);
        }
        prefix.truncate(depth);
    } else if !tree.is_empty() {
        let name = tree.split(" as ").next().unwrap();
        let mut path = prefix.clone();
        path.extend(
            name.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != "*" && *s != "self")
                .map(str::to_string),
        );
        out.push(path);
    }
}

fn split_top_level(s: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut from) = (Vec::new(), 0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[from..]);
    parts
}

/// The file (index into `files`) a path from `from` names, if it is a module of this crate.
fn resolve(from: &Source, path: &[String], files: &[Source]) -> Option<usize> {
    let mut absolute: Vec<String> = from.module.clone();
    let mut segments = path;
    match segments.first().map(String::as_str) {
        Some("crate") => {
            absolute.clear();
            segments = &segments[1..];
        }
        Some("self") => segments = &segments[1..],
        Some("super") => {
            while segments.first().map(String::as_str) == Some("super") {
                absolute.pop();
                segments = &segments[1..];
            }
        }
        // A plain `use child::Item` names a child module of this file; anything else is
        // another crate.
        Some(first) => {
            let mut child = from.module.clone();
            child.push(first.to_string());
            if !files.iter().any(|f| f.module == child) {
                return None;
            }
        }
        None => return None,
    }
    absolute.extend(segments.iter().cloned());
    (1..=absolute.len()).rev().find_map(|n| {
        files
            .iter()
            .position(|f| !is_binary(&f.rel) && f.module == absolute[..n])
    })
}

/// File-level arrows `from → to`, without re-exports of a module's own descendants (a folder's
/// face, not a dependency).
fn arrows(files: &[Source]) -> BTreeSet<(usize, usize)> {
    let mut arrows = BTreeSet::new();
    for (i, file) in files.iter().enumerate() {
        if is_binary(&file.rel) || file.module.is_empty() {
            continue;
        }
        for (path, public) in paths_named(&file.code) {
            let Some(j) = resolve(file, &path, files) else {
                continue;
            };
            let target = &files[j].module;
            let descendant = target.len() > file.module.len() && target.starts_with(&file.module);
            if j != i && !target.is_empty() && !(public && descendant) {
                arrows.insert((i, j));
            }
        }
    }
    arrows
}

fn floor_of(room: &str) -> usize {
    FLOORS
        .iter()
        .position(|floor| floor.contains(&room))
        .unwrap_or_else(|| panic!("module `{room}` is on no floor: add it to FLOORS"))
}

#[test]
fn every_import_goes_down_a_floor() {
    let files = sources();
    let mut wrong = Vec::new();
    for (i, j) in arrows(&files) {
        let (from, to) = (&files[i], &files[j]);
        if from.module[0] != to.module[0] && floor_of(&from.module[0]) <= floor_of(&to.module[0]) {
            wrong.push(format!("{} → {}", from.rel, to.rel));
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that do not go down a floor:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_folder_has_an_import_loop() {
    let files = sources();
    let mut next: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, j) in arrows(&files) {
        next.entry(i).or_default().push(j);
    }
    // Depth-first search for a back edge; the loop found is printed whole.
    fn visit(
        node: usize,
        next: &BTreeMap<usize, Vec<usize>>,
        state: &mut Vec<u8>,
        stack: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[node] = 1;
        stack.push(node);
        for &to in next.get(&node).into_iter().flatten() {
            if state[to] == 1 {
                let from = stack.iter().position(|&n| n == to).unwrap();
                return Some(stack[from..].to_vec());
            }
            if state[to] == 0
                && let Some(cycle) = visit(to, next, state, stack)
            {
                return Some(cycle);
            }
        }
        stack.pop();
        state[node] = 2;
        None
    }
    let mut state = vec![0u8; files.len()];
    for start in 0..files.len() {
        if state[start] == 0
            && let Some(cycle) = visit(start, &next, &mut state, &mut Vec::new())
        {
            let names: Vec<&str> = cycle.iter().map(|&n| files[n].rel.as_str()).collect();
            panic!("import loop: {} → back to the first", names.join(" → "));
        }
    }
}

#[test]
fn the_core_names_no_front_end_and_no_browser() {
    let forbidden = [
        "crate::web",
        "crate::cli",
        "leptos::",
        "web_sys::",
        "use leptos",
        "use web_sys",
    ];
    let mut wrong = Vec::new();
    for file in sources() {
        let room = file.module.first().map(String::as_str).unwrap_or("");
        if !CORE.contains(&room) {
            continue;
        }
        for word in forbidden {
            if file.code.contains(word) {
                wrong.push(format!("{} names {word}", file.rel));
            }
        }
        if LINK_FREE.contains(&room)
            && (file.code.contains("crate::url") || file.code.contains("url::encode"))
        {
            wrong.push(format!("{} names the link codec", file.rel));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Lines of each function body (test modules already blanked), not counting `view!` markup.
fn function_lengths(code: &str) -> Vec<(usize, String, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = code[at..].find("fn ") {
        let start = at + p;
        at = start + 3;
        if prev_is_ident(code.as_bytes(), start) {
            continue;
        }
        let name: String = code[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let (Some(open), semi) = (code[at..].find('{'), code[at..].find(';')) else {
            continue;
        };
        if semi.is_some_and(|s| s < open) {
            continue; // a declaration without a body
        }
        let open = at + open;
        let close = matching_brace(code, open);
        let body = &code[start..=close];
        // Outermost `view!` blocks only: one nested in another is already inside its lines.
        let mut markup = 0;
        let mut covered = 0;
        for (v, _) in body.match_indices("view!") {
            let Some(b) = body[v..].find('{').map(|b| v + b) else {
                continue;
            };
            if b < covered {
                continue;
            }
            let end = matching_brace(body, b);
            markup += body[b..=end].matches('\n').count();
            covered = end;
        }
        let line = code[..start].matches('\n').count() + 1;
        out.push((line, name, body.matches('\n').count() + 1 - markup));
    }
    out
}

fn matching_brace(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i;
                }
            }
            _ => {}
        }
    }
    code.len() - 1
}

#[test]
fn functions_and_files_stay_short() {
    let mut long = Vec::new();
    for file in sources()
        .into_iter()
        .filter(|f| !f.rel.ends_with("/tests.rs"))
    {
        if file.lines > MAX_FILE_LINES && file.rel != TABLE_FILE {
            long.push(format!("{}: {} lines (file)", file.rel, file.lines));
        }
        for (line, name, length) in function_lengths(&file.code) {
            if length > MAX_FUNCTION_LINES {
                long.push(format!("{}:{line} fn {name}: {length} lines", file.rel));
            }
        }
    }
    assert!(
        long.is_empty(),
        "over {MAX_FUNCTION_LINES} lines a function or {MAX_FILE_LINES} a file:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_check() {
    // The readers behind the checks above, on code whose answer is known.
    let code = blank_comments_and_literals(
        "use crate::a::{b::C, d};\npub use super::e::F; // crate::zzz\nfn f() {\n  let s = \"crate::q\";\n  crate::g::h();\n}\n",
    );
    let mut paths: Vec<String> = paths_named(&code)
        .into_iter()
        .map(|(p, _)| p.join("::"))
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "crate::a::b::C",
            "crate::a::d",
            "crate::g::h",
            "super::e::F"
        ]
    );
    let lengths = function_lengths("fn a() {\n 1\n}\nfn b() { view! { <p>\n</p> } }\n");
    assert_eq!(lengths, [(1, "a".to_string(), 3), (4, "b".to_string(), 1)]);
    // Markup nested in markup is counted once.
    let nested = "fn c() {\n view! { <p>\n {x.map(|y| view! { <b>\n </b> })}\n </p> }\n}\n";
    assert_eq!(function_lengths(nested), [(1, "c".to_string(), 3)]);
    let files = sources();
    let graph = arrows(&files);
    assert!(
        graph.len() > 40,
        "the import graph looks empty: {} arrows",
        graph.len()
    );
}
