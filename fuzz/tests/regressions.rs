//! Every input a campaign ever found is run again (none may panic or get a 500), and each
//! target gets a brief campaign of its own in CI. The long campaigns run by hand
//! (`cargo run --release -p blankett-fuzz -- all --iterations 1000000`); their figures are in
//! the book's reliability page.

use blankett_fuzz::{mutate::Mutator, regressions_dir, Harness, Target};

#[test]
fn saved_findings_stay_fixed() {
    for target in Target::ALL {
        let mut h = Harness::new(target).unwrap();
        let dir = regressions_dir(target);
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let input = std::fs::read(entry.path()).unwrap();
            if let Err(finding) = h.run(&input) {
                panic!("{}: {finding}", entry.path().display());
            }
        }
    }
}

#[test]
fn a_brief_campaign_per_target_finds_nothing() {
    for target in Target::ALL {
        let mut h = Harness::new(target).unwrap();
        let corpus = h.seeds();
        assert!(!corpus.is_empty(), "{} has seeds", target.name());
        let dictionary = h.dictionary();
        let mut m = Mutator::new(0x5eed ^ target as u64);
        let iterations = match target {
            Target::FormYaml | Target::Expression => 300,
            _ => 1000,
        };
        for seed in &corpus {
            if let Err(finding) = h.run(seed) {
                panic!("{}: a seed fails: {finding}", target.name());
            }
        }
        for _ in 0..iterations {
            let base = &corpus[m.below(corpus.len())];
            let input = m.mutate(base, &corpus, dictionary);
            if let Err(finding) = h.run(&input) {
                panic!(
                    "{}: {finding}\ninput: {:?}",
                    target.name(),
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
}
