//! The steps, in order: split, wasm-bindgen, wasm-opt (every file at once), name, compress, write.
use std::{
    collections::BTreeMap,
    fmt::Write as _,
    io::Write as _,
    path::{Path, PathBuf},
    process::Command,
    sync::Mutex,
};

use crate::names::{self, LOADER_PLACEHOLDER, Published, Staged};

/// binaryen's size passes, with the features the Rust target emits (Debian's binaryen 108 breaks
/// hydration; the build puts the pinned npm one first on PATH).
const WASM_OPT: &[&str] = &[
    "-Oz",
    "--strip-debug",
    "--strip-producers",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn tool(name: &str, args: &[&std::ffi::OsStr]) -> Result<(), String> {
    let output =
        Command::new(name).args(args).output().map_err(|e| format!("cannot run {name} (is it on PATH?): {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr)))
    }
}

/// Runs `work` on every item, on as many threads as the machine has.
fn in_parallel<T: Send, R: Send>(
    items: Vec<T>,
    work: impl Fn(T) -> Result<R, String> + Sync,
) -> Result<Vec<R>, String> {
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let queue = Mutex::new(items.into_iter().enumerate().collect::<Vec<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let Some((index, item)) = queue.lock().unwrap().pop() else { break };
                    let result = work(item);
                    results.lock().unwrap().push((index, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

fn stage(wasm: &Path, assets: &[PathBuf], dir: &Path) -> Result<Staged, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let input = read(wasm)?;
    let linked = dir.join("linked.wasm");
    let link_name = format!("./{LOADER_PLACEHOLDER}");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = dir;
        options.main_out_path = &linked;
        options.main_module = "./wisp.js";
        options.link_name = &link_name;
        options
    })
    .map_err(|e| {
        format!("splitting {} failed: {e:#} (was it linked with -Clink-args=--emit-relocs?)", wasm.display())
    })?;

    let mut args: Vec<&std::ffi::OsStr> = [
        "--target",
        "web",
        "--no-typescript",
        "--keep-lld-exports",
        "--no-demangle",
        "--out-name",
        "wisp",
        "--out-dir",
    ]
    .iter()
    .map(std::ffi::OsStr::new)
    .collect();
    args.extend([dir.as_os_str(), linked.as_os_str()]);
    tool("wasm-bindgen", &args)?;

    let mut optimise = vec![(dir.join("wisp_bg.wasm"), dir.join("wisp.wasm"))];
    optimise.extend(split.split_modules.iter().map(|chunk| (chunk.clone(), chunk.clone())));
    in_parallel(optimise, |(from, to)| {
        let mut args: Vec<&std::ffi::OsStr> = WASM_OPT.iter().map(std::ffi::OsStr::new).collect();
        args.extend([from.as_os_str(), std::ffi::OsStr::new("-o"), to.as_os_str()]);
        tool("wasm-opt", &args)
    })?;

    let chunks = split
        .split_modules
        .iter()
        .map(|path| {
            let stem = path.file_stem().and_then(|s| s.to_str()).ok_or("a chunk has no name")?.to_owned();
            Ok((stem, read(path)?))
        })
        .collect::<Result<BTreeMap<_, _>, String>>()?;
    Ok(Staged {
        main_js: read(&dir.join("wisp.js"))?,
        main_wasm: read(&dir.join("wisp.wasm"))?,
        loader_js: read(&dir.join(LOADER_PLACEHOLDER))?,
        chunks,
        prefetch: split.prefetch_map,
        assets: assets
            .iter()
            .map(|path| {
                let name = path.file_name().and_then(|n| n.to_str()).ok_or("an asset has no name")?;
                Ok((name.to_owned(), read(path)?))
            })
            .collect::<Result<_, String>>()?,
    })
}

struct Sizes {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

fn compress(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(bytes).map_err(|e| e.to_string())?;
    let gzip = gzip.finish().map_err(|e| e.to_string())?;
    let mut brotli = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut brotli, &params).map_err(|e| e.to_string())?;
    Ok((gzip, brotli))
}

/// Writes every file with its `.br` and `.gz` copies into a fresh `pkg`, then the hash file.
fn write_site(published: Published, site: &Path) -> Result<BTreeMap<String, Sizes>, String> {
    let pkg = site.join("pkg");
    let _ = std::fs::remove_dir_all(&pkg);
    std::fs::create_dir_all(&pkg).map_err(|e| format!("cannot create {}: {e}", pkg.display()))?;
    let sizes = in_parallel(published.files, |(name, bytes)| {
        let (gzip, brotli) = compress(&bytes)?;
        let path = pkg.join(&name);
        write(&path, &bytes)?;
        write(&PathBuf::from(format!("{}.gz", path.display())), &gzip)?;
        write(&PathBuf::from(format!("{}.br", path.display())), &brotli)?;
        Ok((name, Sizes { raw: bytes.len(), gzip: gzip.len(), brotli: brotli.len() }))
    })?;
    // Written last: a server that starts meanwhile finds the old names or none, never a mix.
    write(&site.join("hash.txt"), published.hash_file.as_bytes())?;
    let mut report = sizes.into_iter().collect::<BTreeMap<_, _>>();
    for (split, chunks) in published.prefetch {
        let total = chunks.iter().filter_map(|c| report.get(&format!("{c}.wasm"))).fold(
            Sizes { raw: 0, gzip: 0, brotli: 0 },
            |sum, s| Sizes { raw: sum.raw + s.raw, gzip: sum.gzip + s.gzip, brotli: sum.brotli + s.brotli },
        );
        report.insert(format!("route {split} ({} files)", chunks.len()), total);
    }
    Ok(report)
}

/// Builds the bundle into `<site>/pkg` and `<site>/hash.txt`; returns the size table.
pub fn run(wasm: &Path, site: &Path, assets: &[PathBuf]) -> Result<String, String> {
    let started = std::time::Instant::now();
    let staging = site.with_file_name("bundle");
    let staged = stage(wasm, assets, &staging)?;
    let staged_after = started.elapsed();
    let published = names::publish(staged)?;
    let sizes = write_site(published, site)?;
    let mut report = format!(
        "split, wasm-bindgen and wasm-opt {:.1} s; naming and compressing {:.1} s\n",
        staged_after.as_secs_f64(),
        (started.elapsed() - staged_after).as_secs_f64()
    );
    let _ = writeln!(report, "{:<72} {:>9} {:>8} {:>8}", "file", "raw", "gzip", "brotli");
    for (name, size) in &sizes {
        let _ = writeln!(report, "{name:<72} {:>9} {:>8} {:>8}", size.raw, size.gzip, size.brotli);
    }
    Ok(report)
}
