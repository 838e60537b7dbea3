//! What a crate's code names, read as Rust (syn) rather than as text: every path, with `use`
//! trees flattened (`use crate::{a, b::{c, d}}` is `crate::a`, `crate::b::c`, `crate::b::d`)
//! and `self::`/`super::` resolved against the module the path is in, so that a grouped
//! import or a relative path cannot slip past a rule. Comments and string literals name
//! nothing. The walk starts at `lib.rs` (or `main.rs`) and follows `mod` declarations, so
//! each file knows its module and the `#[cfg(feature = "..")]` gates it is under, its
//! `mod` line's included. Paths inside macro calls are read when the call's body parses as
//! expressions (`format!`, `assert!`, `vec!`); other macro bodies are not read.

use std::path::{Path, PathBuf};

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Meta, Token, UseTree};

/// One path in the code.
#[derive(Debug, Clone)]
pub struct Named {
    /// Its segments joined by `::`, resolved to start at `crate` when it was relative.
    pub path: String,
    pub file: PathBuf,
    pub line: usize,
    /// The features of every `#[cfg(feature = "..")]` (or `all`/`any` of them) above it.
    pub features: Vec<String>,
}

impl Named {
    /// Whether the path is `prefix` or starts with `prefix::`.
    pub fn starts_with(&self, prefix: &str) -> bool {
        self.path == prefix || self.path.starts_with(&format!("{prefix}::"))
    }

    /// Whether one of its segments is `name`.
    pub fn has_segment(&self, name: &str) -> bool {
        self.path.split("::").any(|segment| segment == name)
    }

    /// `file:line: path`, for a rule's report.
    pub fn at(&self) -> String {
        format!("{}:{}: {}", self.file.display(), self.line, self.path)
    }
}

/// Every path named by the crate whose sources are in `src`.
pub fn crate_paths(src: &Path) -> Vec<Named> {
    let root = ["lib.rs", "main.rs"]
        .iter()
        .map(|name| src.join(name))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("no lib.rs or main.rs in {}", src.display()));
    let mut out = Vec::new();
    read_module(&root, src, Vec::new(), Vec::new(), &mut out);
    assert!(!out.is_empty(), "no paths read under {}", src.display());
    out
}

/// The paths of one file whose module is `module` and whose items live in `dir` (where
/// its `mod x;` files are), gated by `features`.
fn read_module(
    file: &Path,
    dir: &Path,
    module: Vec<String>,
    features: Vec<String>,
    out: &mut Vec<Named>,
) {
    let text =
        std::fs::read_to_string(file).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
    let parsed = syn::parse_file(&text)
        .unwrap_or_else(|err| panic!("{}:{}: {err}", file.display(), err.span().start().line));
    let mut reader = Reader {
        file,
        dir: dir.to_path_buf(),
        module,
        features,
        out,
    };
    reader.visit_file(&parsed);
}

/// The features an item's attributes gate it on: `cfg(feature = "x")`, and those inside
/// `cfg(all(..))` or `cfg(any(..))`; `not(..)` gates on none.
fn gates(attrs: &[Attribute]) -> Vec<String> {
    fn collect(meta: &Meta, out: &mut Vec<String>) {
        match meta {
            Meta::NameValue(pair) if pair.path.is_ident("feature") => {
                if let Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(name),
                    ..
                }) = &pair.value
                {
                    out.push(name.value());
                }
            }
            Meta::List(list) if list.path.is_ident("all") || list.path.is_ident("any") => {
                let nested = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated);
                for meta in nested.iter().flatten() {
                    collect(meta, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("cfg")) {
        if let Ok(meta) = attr.parse_args::<Meta>() {
            collect(&meta, &mut out);
        }
    }
    out
}

struct Reader<'a> {
    file: &'a Path,
    /// Where the current module's `mod x;` files are.
    dir: PathBuf,
    module: Vec<String>,
    features: Vec<String>,
    out: &'a mut Vec<Named>,
}

impl Reader<'_> {
    fn push(&mut self, segments: Vec<String>, span: Span) {
        let path = self.resolve(segments).join("::");
        self.out.push(Named {
            path,
            file: self.file.to_path_buf(),
            line: span.start().line,
            features: self.features.clone(),
        });
    }

    /// `self::` and `super::` made absolute (`crate::..`); other paths as written.
    fn resolve(&self, segments: Vec<String>) -> Vec<String> {
        let relative = matches!(segments.first().map(String::as_str), Some("self" | "super"));
        if !relative {
            return segments;
        }
        let mut module = self.module.clone();
        let mut rest = segments.into_iter().peekable();
        while let Some(head) = rest.peek() {
            match head.as_str() {
                "self" => {}
                "super" => {
                    module.pop();
                }
                _ => break,
            }
            rest.next();
        }
        std::iter::once("crate".to_owned())
            .chain(module)
            .chain(rest)
            .collect()
    }

    fn use_tree(&mut self, prefix: &[String], tree: &UseTree) {
        let mut path = prefix.to_vec();
        match tree {
            UseTree::Path(inner) => {
                path.push(inner.ident.to_string());
                self.use_tree(&path, &inner.tree);
            }
            // `use a::{self}` names `a` itself.
            UseTree::Name(name) => {
                if name.ident != "self" {
                    path.push(name.ident.to_string());
                }
                self.push(path, name.ident.span());
            }
            UseTree::Rename(rename) => {
                if rename.ident != "self" {
                    path.push(rename.ident.to_string());
                }
                self.push(path, rename.ident.span());
            }
            UseTree::Glob(glob) => {
                path.push("*".to_owned());
                self.push(path, glob.star_token.span());
            }
            UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(&path, tree);
                }
            }
        }
    }

    /// Runs `walk` with `attrs`' gates added to the current ones.
    fn gated(&mut self, attrs: &[Attribute], walk: impl FnOnce(&mut Self)) {
        let before = self.features.len();
        self.features.extend(gates(attrs));
        walk(self);
        self.features.truncate(before);
    }
}

impl<'ast> Visit<'ast> for Reader<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs: &[Attribute] = match item {
            syn::Item::Const(i) => &i.attrs,
            syn::Item::Enum(i) => &i.attrs,
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Macro(i) => &i.attrs,
            syn::Item::Mod(i) => &i.attrs,
            syn::Item::Static(i) => &i.attrs,
            syn::Item::Struct(i) => &i.attrs,
            syn::Item::Trait(i) => &i.attrs,
            syn::Item::Type(i) => &i.attrs,
            syn::Item::Use(i) => &i.attrs,
            _ => &[],
        };
        self.gated(attrs, |this| visit::visit_item(this, item));
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs: &[Attribute] = match item {
            syn::ImplItem::Const(i) => &i.attrs,
            syn::ImplItem::Fn(i) => &i.attrs,
            syn::ImplItem::Type(i) => &i.attrs,
            _ => &[],
        };
        self.gated(attrs, |this| visit::visit_impl_item(this, item));
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        self.gated(&local.attrs, |this| visit::visit_local(this, local));
    }

    fn visit_field(&mut self, field: &'ast syn::Field) {
        self.gated(&field.attrs, |this| visit::visit_field(this, field));
    }

    fn visit_field_value(&mut self, field: &'ast syn::FieldValue) {
        self.gated(&field.attrs, |this| visit::visit_field_value(this, field));
    }

    fn visit_variant(&mut self, variant: &'ast syn::Variant) {
        self.gated(&variant.attrs, |this| visit::visit_variant(this, variant));
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        self.gated(&arm.attrs, |this| visit::visit_arm(this, arm));
    }

    fn visit_stmt_macro(&mut self, stmt: &'ast syn::StmtMacro) {
        self.gated(&stmt.attrs, |this| visit::visit_stmt_macro(this, stmt));
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let name = item.ident.to_string();
        let child_dir = self.dir.join(&name);
        match &item.content {
            Some((_, items)) => {
                // An inline module: its `mod x;` files would be in `dir/name/`.
                let (dir, module) = (self.dir.clone(), self.module.clone());
                self.dir = child_dir;
                self.module.push(name);
                for item in items {
                    self.visit_item(item);
                }
                (self.dir, self.module) = (dir, module);
            }
            None => {
                let file = [
                    self.dir.join(format!("{name}.rs")),
                    child_dir.join("mod.rs"),
                ]
                .into_iter()
                .find(|path| path.exists())
                .unwrap_or_else(|| panic!("{}: mod {name}: no file", self.file.display()));
                let mut module = self.module.clone();
                module.push(name);
                read_module(&file, &child_dir, module, self.features.clone(), self.out);
            }
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&[], &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.push(segments, path.span());
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        visit::visit_macro(self, mac);
        if let Ok(args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            for expr in &args {
                self.visit_expr(expr);
            }
        }
    }
}
