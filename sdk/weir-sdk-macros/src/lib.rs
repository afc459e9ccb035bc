//! The export macros of `weir-sdk`. Use them through `weir_sdk::export_source!` and friends.
//!
//! Each macro, expanded in the plugin's crate:
//! 1. reads the crate's `plugin.toml`, validates it with the host's own parser and checks that
//!    its `kind` matches the macro and its `wit` is the version this SDK builds against, failing
//!    the build with a clear message otherwise;
//! 2. embeds the manifest as the custom section `weir-manifest` (through `include_bytes!`, so a
//!    changed manifest rebuilds the plugin);
//! 3. binds only the plugin's own WIT world (the WIT text is compiled into this crate), reusing
//!    the SDK's bindings of the shared types and host imports, and implements the generated
//!    `Guest` trait by delegating to the plugin type kept in a thread-local slot.
//!
//! The WebAssembly glue is emitted for `wasm32` only: native builds of a plugin crate check the
//! manifest and the trait implementation but leave the plugin's logic free to be unit-tested.

use std::path::Path;

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use weir_core::{MANIFEST_SECTION, Manifest, PluginKind};

/// The WIT contract the SDK builds against, as one document (`package.wit` first: it holds
/// the package declaration).
const WIT_VERSION: &str = "0.2.0";
const WIT: &str = concat!(
    include_str!("../../../wit/v0.2.0/package.wit"),
    "\n",
    include_str!("../../../wit/v0.2.0/types.wit"),
    "\n",
    include_str!("../../../wit/v0.2.0/source.wit"),
    "\n",
    include_str!("../../../wit/v0.2.0/validator.wit"),
    "\n",
    include_str!("../../../wit/v0.2.0/sink.wit"),
);

/// Exports a `weir_sdk::Source` implementation: `weir_sdk::export_source!(MySource);`.
#[proc_macro]
pub fn export_source(input: TokenStream) -> TokenStream {
    expand(PluginKind::Source, input.into()).into()
}

/// Exports a `weir_sdk::Validator` implementation: `weir_sdk::export_validator!(MyValidator);`.
#[proc_macro]
pub fn export_validator(input: TokenStream) -> TokenStream {
    expand(PluginKind::Validator, input.into()).into()
}

/// Exports a `weir_sdk::Sink` implementation: `weir_sdk::export_sink!(MySink);`.
#[proc_macro]
pub fn export_sink(input: TokenStream) -> TokenStream {
    expand(PluginKind::Sink, input.into()).into()
}

fn expand(kind: PluginKind, input: TokenStream2) -> TokenStream2 {
    match try_expand(kind, input) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn try_expand(kind: PluginKind, input: TokenStream2) -> syn::Result<TokenStream2> {
    let macro_name = format!("export_{kind}!");
    let ty: syn::Type = syn::parse2(input).map_err(|e| {
        syn::Error::new(e.span(), format!("{macro_name} takes the plugin type, e.g. `{macro_name}(MyPlugin)`"))
    })?;
    let dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|_| {
        syn::Error::new(Span::call_site(), "CARGO_MANIFEST_DIR is not set: build the plugin with cargo")
    })?;
    let manifest_path = Path::new(&dir).join("plugin.toml");
    let manifest_path_str = manifest_path.to_string_lossy().into_owned();
    check_manifest(kind, &macro_name, &manifest_path)?;
    let manifest_len = std::fs::metadata(&manifest_path)
        .map_err(|e| syn::Error::new(Span::call_site(), format!("cannot read {manifest_path_str}: {e}")))?
        .len();
    let manifest_len = usize::try_from(manifest_len)
        .map_err(|_| syn::Error::new(Span::call_site(), format!("{manifest_path_str} is too large")))?;

    let trait_name = match kind {
        PluginKind::Source => quote!(Source),
        PluginKind::Validator => quote!(Validator),
        PluginKind::Sink => quote!(Sink),
    };
    let world = format!("weir:plugin/{kind}-plugin");
    let glue = match kind {
        PluginKind::Source => source_glue(),
        PluginKind::Validator => validator_glue(),
        PluginKind::Sink => sink_glue(),
    };
    let assert_impl = quote_spanned! {ty.span()=>
        const _: fn() = || {
            fn must_implement<T: ::weir_sdk::#trait_name>() {}
            must_implement::<#ty>();
        };
    };

    Ok(quote! {
        #[doc(hidden)]
        type __WeirPlugin = #ty;

        #assert_impl

        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        #[allow(unsafe_code)]
        #[unsafe(link_section = #MANIFEST_SECTION)]
        #[used]
        static __WEIR_MANIFEST: [u8; #manifest_len] = *include_bytes!(#manifest_path_str);

        // Natively there is no section, but cargo must still rebuild when the manifest changes.
        #[cfg(not(target_arch = "wasm32"))]
        const _: &[u8] = include_bytes!(#manifest_path_str);

        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        #[allow(
            unsafe_code,
            dead_code,
            missing_docs,
            unused_qualifications,
            clippy::all,
            clippy::pedantic,
            clippy::unwrap_used,
            clippy::expect_used,
            clippy::panic
        )]
        mod __weir_export {
            ::weir_sdk::__private::wit_bindgen::generate!({
                inline: #WIT,
                world: #world,
                runtime_path: "::weir_sdk::__private::wit_bindgen::rt",
                with: {
                    "weir:plugin/types@0.2.0": ::weir_sdk::__private::bindings::weir::plugin::types,
                    "weir:plugin/host@0.2.0": ::weir_sdk::__private::bindings::weir::plugin::host,
                },
            });

            use ::weir_sdk::__private as rt;
            type Plugin = super::__WeirPlugin;

            ::std::thread_local! {
                static PLUGIN: ::core::cell::RefCell<::core::option::Option<Plugin>> =
                    const { ::core::cell::RefCell::new(::core::option::Option::None) };
            }

            struct Component;

            #glue

            export!(Component);
        }
    })
}

/// Refuses, at compile time, a manifest the host would refuse at load time.
fn check_manifest(kind: PluginKind, macro_name: &str, path: &Path) -> syn::Result<()> {
    let shown = path.display();
    let fail = |message: String| syn::Error::new(Span::call_site(), message);
    let text = std::fs::read_to_string(path).map_err(|e| {
        fail(format!("{macro_name} needs a plugin.toml next to the crate's Cargo.toml; cannot read {shown}: {e}"))
    })?;
    let manifest = Manifest::parse(&text).map_err(|e| fail(format!("{shown}: {e}")))?;
    if manifest.kind != kind {
        return Err(fail(format!(
            "{shown} says kind = \"{}\", but {macro_name} exports a {kind}; use export_{}! or change the kind",
            manifest.kind, manifest.kind
        )));
    }
    if manifest.wit.to_string() != WIT_VERSION {
        return Err(fail(format!(
            "{shown} says wit = \"{}\", but this weir-sdk builds plugins against WIT {WIT_VERSION}",
            manifest.wit
        )));
    }
    Ok(())
}

fn source_glue() -> TokenStream2 {
    quote! {
        use exports::weir::plugin::source as wit;

        fn stream_info(s: ::weir_sdk::StreamInfo) -> wit::StreamInfo {
            wit::StreamInfo { name: s.name, key_field: s.key_field, cursor_field: s.cursor_field }
        }

        fn scope_in(scope: wit::Scope) -> ::weir_sdk::Scope {
            match scope {
                wit::Scope::Full => ::weir_sdk::Scope::Full,
                wit::Scope::Since(instant) => ::weir_sdk::Scope::Since(instant),
            }
        }

        impl wit::Guest for Component {
            fn configure(config: String) -> Result<(), wit::PluginError> {
                rt::configure(&PLUGIN, &config, <Plugin as ::weir_sdk::Source>::configure)
            }

            fn streams() -> Result<Vec<wit::StreamInfo>, wit::PluginError> {
                rt::call(&PLUGIN, |p| ::weir_sdk::Source::streams(p))
                    .map(|streams| streams.into_iter().map(stream_info).collect())
            }

            fn partitions(
                stream: String,
                split: wit::SplitScope,
                max: u32,
            ) -> Result<Vec<wit::Partition>, wit::PluginError> {
                let split = match split {
                    wit::SplitScope::Read(s) => ::weir_sdk::SplitScope::Read(scope_in(s)),
                    wit::SplitScope::Keys => ::weir_sdk::SplitScope::Keys,
                };
                rt::call(&PLUGIN, |p| ::weir_sdk::Source::partitions(p, &stream, split, max)).map(|parts| {
                    parts.into_iter().map(|part| wit::Partition { label: part.label, state: part.state }).collect()
                })
            }

            fn read(
                stream: String,
                scope: wit::Scope,
                state: Option<String>,
                max: u32,
            ) -> Result<wit::Page, wit::PluginError> {
                let scope = scope_in(scope);
                rt::call(&PLUGIN, |p| ::weir_sdk::Source::read(p, &stream, scope, state, max)).map(|page| wit::Page {
                    records: page.records.into_iter().map(Into::into).collect(),
                    state: page.state,
                    done: page.done,
                })
            }

            fn list_keys(stream: String, state: Option<String>, max: u32) -> Result<wit::KeyPage, wit::PluginError> {
                rt::call(&PLUGIN, |p| ::weir_sdk::Source::list_keys(p, &stream, state, max))
                    .map(|page| wit::KeyPage { keys: page.keys, state: page.state, done: page.done })
            }

            fn count(stream: String) -> Result<Option<u64>, wit::PluginError> {
                rt::call(&PLUGIN, |p| ::weir_sdk::Source::count(p, &stream))
            }
        }
    }
}

fn validator_glue() -> TokenStream2 {
    quote! {
        use exports::weir::plugin::validator as wit;

        fn verdict(v: ::weir_sdk::Verdict) -> wit::Verdict {
            wit::Verdict {
                violations: v
                    .violations
                    .into_iter()
                    .map(|v| wit::Violation { rule: v.rule, field: v.field, message: v.message })
                    .collect(),
            }
        }

        impl wit::Guest for Component {
            fn configure(config: String) -> Result<(), wit::PluginError> {
                rt::configure(&PLUGIN, &config, <Plugin as ::weir_sdk::Validator>::configure)
            }

            fn validate(stream: String, records: Vec<wit::Record>) -> Result<Vec<wit::Verdict>, wit::PluginError> {
                rt::validate(&PLUGIN, &stream, records).map(|verdicts| verdicts.into_iter().map(verdict).collect())
            }
        }
    }
}

fn sink_glue() -> TokenStream2 {
    quote! {
        use exports::weir::plugin::sink as wit;

        fn distance_in(d: wit::Distance) -> ::weir_sdk::Distance {
            match d {
                wit::Distance::Cosine => ::weir_sdk::Distance::Cosine,
                wit::Distance::Dot => ::weir_sdk::Distance::Dot,
                wit::Distance::Euclid => ::weir_sdk::Distance::Euclid,
                wit::Distance::Manhattan => ::weir_sdk::Distance::Manhattan,
            }
        }

        fn distance_out(d: ::weir_sdk::Distance) -> wit::Distance {
            match d {
                ::weir_sdk::Distance::Cosine => wit::Distance::Cosine,
                ::weir_sdk::Distance::Dot => wit::Distance::Dot,
                ::weir_sdk::Distance::Euclid => wit::Distance::Euclid,
                ::weir_sdk::Distance::Manhattan => wit::Distance::Manhattan,
            }
        }

        fn index_kind(k: wit::IndexKind) -> ::weir_sdk::IndexKind {
            match k {
                wit::IndexKind::Keyword => ::weir_sdk::IndexKind::Keyword,
                wit::IndexKind::Integer => ::weir_sdk::IndexKind::Integer,
                wit::IndexKind::Float => ::weir_sdk::IndexKind::Float,
                wit::IndexKind::Boolean => ::weir_sdk::IndexKind::Boolean,
                wit::IndexKind::Text => ::weir_sdk::IndexKind::Text,
                wit::IndexKind::Datetime => ::weir_sdk::IndexKind::Datetime,
                wit::IndexKind::Uuid => ::weir_sdk::IndexKind::Uuid,
            }
        }

        fn info(i: ::weir_sdk::CollectionInfo) -> wit::CollectionInfo {
            wit::CollectionInfo {
                exists: i.exists,
                dimension: i.dimension,
                distance: i.distance.map(distance_out),
                lexical: i.lexical,
                points: i.points,
            }
        }

        fn sparse(v: wit::SparseVector) -> ::weir_sdk::SparseVector {
            ::weir_sdk::SparseVector { indices: v.indices, values: v.values }
        }

        impl wit::Guest for Component {
            fn configure(config: String) -> Result<(), wit::PluginError> {
                rt::configure(&PLUGIN, &config, <Plugin as ::weir_sdk::Sink>::configure)
            }

            fn describe(collection: String) -> Result<wit::CollectionInfo, wit::PluginError> {
                rt::call(&PLUGIN, |p| ::weir_sdk::Sink::describe(p, &collection)).map(info)
            }

            fn prepare(spec: wit::CollectionSpec) -> Result<wit::CollectionInfo, wit::PluginError> {
                if spec.lexical.is_some() && !<Plugin as ::weir_sdk::Sink>::LEXICAL {
                    return Err(rt::dense_only("a hybrid collection (lexical vectors)"));
                }
                let spec = ::weir_sdk::CollectionSpec {
                    name: spec.name,
                    dimension: spec.dimension,
                    distance: distance_in(spec.distance),
                    model: spec.model,
                    lexical: spec.lexical,
                    payload_indexes: spec
                        .payload_indexes
                        .into_iter()
                        .map(|i| ::weir_sdk::PayloadIndex { field: i.field, kind: index_kind(i.kind) })
                        .collect(),
                };
                rt::call(&PLUGIN, |p| ::weir_sdk::Sink::prepare(p, spec)).map(info)
            }

            fn upsert(collection: String, points: Vec<wit::Point>) -> Result<(), wit::PluginError> {
                if !<Plugin as ::weir_sdk::Sink>::LEXICAL && points.iter().any(|p| p.sparse.is_some()) {
                    return Err(rt::dense_only("sparse vectors"));
                }
                let points = points
                    .into_iter()
                    .map(|p| ::weir_sdk::Point {
                        id: p.id,
                        vector: p.vector,
                        sparse: p.sparse.map(sparse),
                        payload: p.payload,
                    })
                    .collect();
                rt::call(&PLUGIN, |p| ::weir_sdk::Sink::upsert(p, &collection, points))
            }

            fn set_payload(collection: String, updates: Vec<wit::PayloadUpdate>) -> Result<(), wit::PluginError> {
                let updates = updates
                    .into_iter()
                    .map(|u| ::weir_sdk::PayloadUpdate { id: u.id, payload: u.payload })
                    .collect();
                rt::call(&PLUGIN, |p| ::weir_sdk::Sink::set_payload(p, &collection, updates))
            }

            fn delete(collection: String, ids: Vec<String>) -> Result<(), wit::PluginError> {
                rt::call(&PLUGIN, |p| ::weir_sdk::Sink::delete(p, &collection, ids))
            }

            fn count(collection: String) -> Result<u64, wit::PluginError> {
                rt::call(&PLUGIN, |p| ::weir_sdk::Sink::count(p, &collection))
            }

            fn query(collection: String, query: wit::QueryRequest) -> Result<Vec<wit::ScoredPoint>, wit::PluginError> {
                let query = ::weir_sdk::Query {
                    vector: query.vector,
                    sparse: query.sparse.map(sparse),
                    fusion: match query.fusion {
                        wit::Fusion::Rrf => ::weir_sdk::Fusion::Rrf,
                        wit::Fusion::Dbsf => ::weir_sdk::Fusion::Dbsf,
                    },
                    k: query.k,
                    filter: query.filter,
                };
                rt::call(&PLUGIN, |p| ::weir_sdk::Sink::search(p, &collection, query)).map(|hits| {
                    hits.into_iter()
                        .map(|h| wit::ScoredPoint { id: h.id, score: h.score, payload: h.payload })
                        .collect()
                })
            }

            fn switch_alias(alias: String, collection: String) -> Result<(), wit::PluginError> {
                rt::call(&PLUGIN, |p| ::weir_sdk::Sink::switch_alias(p, &alias, &collection))
            }

            fn drop_collection(collection: String) -> Result<(), wit::PluginError> {
                rt::call(&PLUGIN, |p| ::weir_sdk::Sink::drop_collection(p, &collection))
            }
        }
    }
}
