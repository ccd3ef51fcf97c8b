//! `blankett-fuzz`: runs fuzz targets with the mutation harness.
//!
//! ```text
//! cargo run --release -p blankett-fuzz -- all --iterations 1000000
//! cargo run --release -p blankett-fuzz -- form_yaml --iterations 100000 --seed 7
//! ```
//!
//! Each finding is written to `fuzz/regressions/<target>/<sha256>` (the regression test runs
//! them all) and reported; the exit status is 1 when there was one.

use blankett_fuzz::{mutate::Mutator, regressions_dir, Harness, Target};
use sha2::{Digest, Sha256};
use std::time::Instant;

struct Args {
    targets: Vec<Target>,
    iterations: u64,
    seed: u64,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let which = it
        .next()
        .ok_or("usage: blankett-fuzz <target|all> [--iterations N] [--seed S]")?;
    let targets = if which == "all" {
        Target::ALL.to_vec()
    } else {
        vec![Target::from_name(&which).ok_or_else(|| {
            let names: Vec<_> = Target::ALL.iter().map(|t| t.name()).collect();
            format!("no target `{which}`: the targets are {}", names.join(", "))
        })?]
    };
    let mut iterations = 100_000;
    let mut seed = 1;
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let n: u64 = value
            .parse()
            .map_err(|_| format!("{flag} takes a number, not `{value}`"))?;
        match flag.as_str() {
            "--iterations" => iterations = n,
            "--seed" => seed = n,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(Args {
        targets,
        iterations,
        seed,
    })
}

fn campaign(target: Target, iterations: u64, seed: u64) -> Result<usize, String> {
    let mut h = Harness::new(target)?;
    let corpus = h.seeds();
    if corpus.is_empty() {
        return Err(format!("{}: no seeds", target.name()));
    }
    let dictionary = h.dictionary();
    let mut m = Mutator::new(seed);
    let mut findings = 0;
    let started = Instant::now();
    for n in 0..iterations {
        let base = &corpus[m.below(corpus.len())];
        // Every sixteenth input is a seed as it is, so a seed that fails is found at once.
        let input = if n % 16 == 0 {
            base.clone()
        } else {
            m.mutate(base, &corpus, dictionary)
        };
        if let Err(finding) = h.run(&input) {
            findings += 1;
            let dir = regressions_dir(target);
            let name = hex::encode(Sha256::digest(&input));
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(&name), &input);
            eprintln!("{}: finding {name}: {finding}", target.name());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{:<16} {:>10} executions  {:>8.0} s  {:>8.0}/s  {} findings (seed {seed})",
        target.name(),
        iterations,
        secs,
        iterations as f64 / secs.max(1e-9),
        findings
    );
    Ok(findings)
}

fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut findings = 0;
    for t in args.targets {
        match campaign(t, args.iterations, args.seed) {
            Ok(n) => findings += n,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        }
    }
    std::process::exit(if findings == 0 { 0 } else { 1 });
}
