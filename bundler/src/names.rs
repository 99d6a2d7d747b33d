//! Content names for the bundle's files, and the rewrites that make the files refer to each other
//! by them. The files refer to each other in a cycle (the main JavaScript imports the split
//! loader, which imports the main JavaScript and fetches the chunks), so no file can be named by
//! its own final bytes: the shared part is named by everything (a change anywhere renames it),
//! a chunk by its bytes and the main module's (a chunk is only valid with the main module it was
//! split from), and the loader by the same release hash as the shared part.
use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

/// The loader's placeholder name: 22 characters the build replaces in place, so the bytes of the
/// WebAssembly that import it keep their layout.
pub const LOADER_PLACEHOLDER: &str = "__wasm_split.______________________.js";
const LOADER_HASH_LEN: usize = 22;
const HASH_LEN: usize = 16;

/// Where the loader gives up on a chunk that did not load: there it loads the page afresh (see
/// `reload.js`, which the bundler adds to the loader).
const LOAD_FAILED: &str = "console.error(e);\n            success = false;";
const LOAD_FAILED_RELOAD: &str = "console.error(e);\n            success = false;\n            loadAfresh();";
const RELOAD: &str = include_str!("reload.js");

/// The files as wasm-bindgen and wasm-opt left them, under their build names.
pub struct Staged {
    pub main_js: Vec<u8>,
    pub main_wasm: Vec<u8>,
    pub loader_js: Vec<u8>,
    /// Chunk file stems (`chunk_3`, `split___members_view_…`) and their bytes.
    pub chunks: BTreeMap<String, Vec<u8>>,
    /// For each lazy route's split name, the stems it needs, as the splitter wrote them.
    pub prefetch: HashMap<String, Vec<String>>,
    /// Files beside the bundle (`main.css`, `sign-in.js`) by name.
    pub assets: BTreeMap<String, Vec<u8>>,
}

/// The files under their published names, with the names Leptos reads.
#[derive(Debug)]
pub struct Published {
    pub files: Vec<(String, Vec<u8>)>,
    /// `<name>: <hash>` lines in the format of Leptos's hash file.
    pub hash_file: String,
    /// For each lazy route's split name, the published stems of its chunks.
    pub prefetch: BTreeMap<String, Vec<String>>,
}

fn hash(parts: &[&[u8]], len: usize) -> String {
    let mut digest = Sha256::new();
    for part in parts {
        digest.update((part.len() as u64).to_le_bytes());
        digest.update(part);
    }
    digest.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()[..len].to_owned()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

pub fn publish(staged: Staged) -> Result<Published, String> {
    let mut everything: Vec<&[u8]> = vec![&staged.main_js, &staged.main_wasm, &staged.loader_js];
    everything.extend(staged.chunks.values().map(Vec::as_slice));
    let release = hash(&everything, LOADER_HASH_LEN);
    let main_hash = &release[..HASH_LEN];
    let loader_name = format!("__wasm_split.{release}.js");
    debug_assert_eq!(loader_name.len(), LOADER_PLACEHOLDER.len());

    let chunk_names: BTreeMap<String, String> = staged
        .chunks
        .iter()
        .map(|(stem, bytes)| (stem.clone(), format!("{stem}.{}", hash(&[&staged.main_wasm, bytes], HASH_LEN))))
        .collect();

    if !contains(&staged.loader_js, LOAD_FAILED) {
        return Err("the split loader's failure handling changed: update LOAD_FAILED in the bundler".to_owned());
    }
    let mut loader =
        [RELOAD.as_bytes(), &replace_all(&staged.loader_js, LOAD_FAILED.as_bytes(), LOAD_FAILED_RELOAD.as_bytes())]
            .concat();
    loader = replace_all(&loader, b"\"./wisp.js\"", format!("\"./wisp.{main_hash}.js\"").as_bytes());
    for (stem, name) in &chunk_names {
        let from = format!("\"./{stem}.wasm\"");
        if !contains(&loader, &from) {
            return Err(format!("the split loader does not load {stem}.wasm: the splitter's output changed"));
        }
        loader = replace_all(&loader, from.as_bytes(), format!("\"./{name}.wasm\"").as_bytes());
    }
    let (main_js, main_wasm) = {
        let (from, to) = (LOADER_PLACEHOLDER.as_bytes(), loader_name.as_bytes());
        (replace_all(&staged.main_js, from, to), replace_all(&staged.main_wasm, from, to))
    };
    if main_wasm.len() != staged.main_wasm.len() {
        return Err("renaming the split loader changed the size of the main module".to_owned());
    }

    let prefetch: BTreeMap<String, Vec<String>> = staged
        .prefetch
        .into_iter()
        .map(|(split, stems)| {
            let names = stems
                .iter()
                .map(|stem| chunk_names.get(stem).cloned().ok_or_else(|| format!("no chunk {stem}")))
                .collect::<Result<_, _>>()?;
            Ok((split, names))
        })
        .collect::<Result<_, String>>()?;
    let manifest = serde_json::to_vec_pretty(&prefetch).map_err(|e| e.to_string())?;
    let manifest_hash = hash(&[&manifest], HASH_LEN);

    let mut files = vec![
        (format!("wisp.{main_hash}.js"), main_js),
        (format!("wisp.{main_hash}.wasm"), main_wasm),
        (loader_name, loader),
        (format!("__wasm_split_manifest.{manifest_hash}.json"), manifest),
    ];
    files.extend(staged.chunks.into_iter().map(|(stem, bytes)| (format!("{}.wasm", chunk_names[&stem]), bytes)));
    let mut hash_file = format!("js: {main_hash}\nwasm: {main_hash}\nmanifest: {manifest_hash}\nsplit: {release}\n");
    for (name, bytes) in staged.assets {
        let (stem, extension) = name.rsplit_once('.').ok_or_else(|| format!("{name} has no extension"))?;
        let published = format!("{stem}.{}.{extension}", hash(&[&bytes], HASH_LEN));
        hash_file.push_str(&format!("{name}: {published}\n"));
        files.push((published, bytes));
    }
    Ok(Published { files, hash_file, prefetch })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(chunk: &[u8], main_wasm: &[u8]) -> Staged {
        let placeholder = LOADER_PLACEHOLDER.as_bytes();
        Staged {
            main_js: [b"import * from \"./".as_slice(), placeholder, b"\";"].concat(),
            main_wasm: [main_wasm, placeholder].concat(),
            loader_js: format!(
                "import {{ initSync }} from \"./wisp.js\"; f(\"./chunk_1.wasm\"); f(\"./chunk_10.wasm\"); {LOAD_FAILED}"
            )
            .into_bytes(),
            chunks: [("chunk_1".to_owned(), chunk.to_vec()), ("chunk_10".to_owned(), b"ten".to_vec())].into(),
            prefetch: [("page".to_owned(), vec!["chunk_10".to_owned(), "chunk_1".to_owned()])].into(),
            assets: [("main.css".to_owned(), b"body{}".to_vec())].into(),
        }
    }

    fn file<'a>(published: &'a Published, prefix: &str) -> (&'a str, &'a [u8]) {
        let (name, bytes) = published.files.iter().find(|(name, _)| name.starts_with(prefix)).unwrap();
        (name, bytes)
    }

    #[test]
    fn files_refer_to_each_other_by_their_published_names() {
        let published = publish(staged(b"one", b"main")).unwrap();
        let (loader_name, loader) = file(&published, "__wasm_split.");
        let loader = std::str::from_utf8(loader).unwrap();
        let (main_js_name, main_js) = file(&published, "wisp.");
        assert!(main_js_name.ends_with(".js"));
        assert!(loader.contains(&format!("\"./{main_js_name}\"")), "{loader}");
        assert!(std::str::from_utf8(main_js).unwrap().contains(loader_name));
        assert!(loader.contains("loadAfresh();") && loader.contains("function loadAfresh()"), "{loader}");
        let chunks = &published.prefetch["page"];
        assert!(chunks[0].starts_with("chunk_10.") && chunks[1].starts_with("chunk_1."), "{chunks:?}");
        for chunk in chunks {
            assert!(loader.contains(&format!("\"./{chunk}.wasm\"")), "{loader}");
            assert!(published.files.iter().any(|(name, _)| *name == format!("{chunk}.wasm")));
        }
        let (_, main_wasm) = file(&published, &main_js_name.replace(".js", ".wasm"));
        assert_eq!(main_wasm.len(), b"main".len() + LOADER_PLACEHOLDER.len());
        assert!(published.hash_file.contains(&format!("split: {}", &loader_name[13..35])));
        let css = published.files.iter().find(|(name, _)| name.ends_with(".css")).unwrap();
        assert!(css.0.starts_with("main.") && published.hash_file.contains(&format!("main.css: {}\n", css.0)));
    }

    #[test]
    fn a_changed_chunk_renames_it_and_the_shared_part_but_no_other_chunk() {
        let before = publish(staged(b"one", b"main")).unwrap();
        let after = publish(staged(b"uno", b"main")).unwrap();
        let names = |p: &Published| p.files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        let (before, after) = (names(&before), names(&after));
        let changed: Vec<_> = before.iter().filter(|n| !after.contains(n)).collect();
        assert_eq!(changed.len(), 5, "main js, main wasm, loader, manifest and chunk_1: {changed:?}");
        assert!(changed.iter().any(|n| n.starts_with("chunk_1.")));
        assert!(
            after.iter().any(|n| n.starts_with("chunk_10.")) && !changed.iter().any(|n| n.starts_with("chunk_10."))
        );
    }

    #[test]
    fn a_changed_main_module_renames_every_chunk() {
        let before = publish(staged(b"one", b"main")).unwrap();
        let after = publish(staged(b"one", b"next")).unwrap();
        for (name, _) in &before.files {
            assert!(
                !after.files.iter().any(|(n, _)| n == name) || name.ends_with(".css") || name.ends_with(".json"),
                "{name}"
            );
        }
    }

    #[test]
    fn a_loader_that_does_not_load_a_chunk_is_refused() {
        let mut bad = staged(b"one", b"main");
        bad.loader_js = format!("import {{ initSync }} from \"./wisp.js\"; {LOAD_FAILED}").into_bytes();
        assert!(publish(bad).unwrap_err().contains("chunk_1.wasm"));
    }
}
