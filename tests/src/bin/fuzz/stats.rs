//! The figures of a run: executions per command and per input kind, exits
//! by code, failures by oracle, and the distinct failures with their
//! reproducers.

use crate::case::Kind;
use crate::oracle::Finding;
use crate::run::Report;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

/// At most this many distinct failures are told apart; the rest are
/// counted together, so a long run's memory stays flat.
const MAX_DISTINCT: usize = 2000;

/// One distinct failure.
#[derive(Debug, Clone)]
pub struct Distinct {
    /// How often it was seen.
    pub count: u64,
    /// The first finding.
    pub first: Finding,
    /// Its input kind.
    pub kind: Kind,
    /// Where its reproducer is, once saved.
    pub repro: Option<PathBuf>,
}

/// Running totals, shared by the workers.
#[derive(Debug, Default)]
pub struct Stats {
    /// Cases run.
    pub cases: u64,
    /// Executions by command.
    pub commands: BTreeMap<String, u64>,
    /// Cases and executions by input kind.
    pub kinds: BTreeMap<&'static str, (u64, u64)>,
    /// Executions by how they ended.
    pub exits: BTreeMap<String, u64>,
    /// Findings by oracle.
    pub failures: BTreeMap<&'static str, u64>,
    /// Failing cases.
    pub failing_cases: u64,
    /// Distinct failures by signature.
    pub distinct: BTreeMap<String, Distinct>,
    /// Findings past [`MAX_DISTINCT`].
    pub undistinguished: u64,
    /// Errors of the harness itself (a case that could not be set up).
    pub harness_errors: Vec<String>,
    /// The largest peak memory of any execution, KiB.
    pub max_rss_kib: u64,
}

impl Stats {
    /// Adds a case; returns the signatures that are new (to be saved).
    pub fn add(&mut self, kind: Kind, report: &Report) -> Vec<String> {
        self.cases += 1;
        let k = self.kinds.entry(kind.name()).or_default();
        k.0 += 1;
        k.1 += report.steps.len() as u64;
        for s in &report.steps {
            *self.commands.entry(s.label.clone()).or_default() += 1;
            *self.exits.entry(s.outcome.ending()).or_default() += 1;
            self.max_rss_kib = self.max_rss_kib.max(s.outcome.max_rss_kib);
        }
        if !report.findings.is_empty() {
            self.failing_cases += 1;
        }
        let mut new = Vec::new();
        for f in &report.findings {
            *self.failures.entry(f.oracle.name()).or_default() += 1;
            let sig = signature(f, kind);
            if let Some(d) = self.distinct.get_mut(&sig) {
                d.count += 1;
            } else if self.distinct.len() < MAX_DISTINCT {
                self.distinct.insert(
                    sig.clone(),
                    Distinct {
                        count: 1,
                        first: f.clone(),
                        kind,
                        repro: None,
                    },
                );
                new.push(sig);
            } else {
                self.undistinguished += 1;
            }
        }
        new
    }

    /// The summary printed at the end.
    pub fn summary(&self, keep: &std::path::Path, seconds: f64) -> String {
        let mut s = String::new();
        let execs: u64 = self.commands.values().sum();
        let _ = writeln!(
            s,
            "\n{} cases, {execs} executions in {seconds:.0} s ({:.1}/s); largest peak memory of an execution {} MiB",
            self.cases,
            execs as f64 / seconds.max(0.001),
            self.max_rss_kib / 1024
        );
        let table = |s: &mut String, title: &str, rows: Vec<(String, u64)>| {
            let _ = writeln!(s, "\n{title}:");
            for (k, v) in rows {
                let _ = writeln!(s, "  {k:<28} {v:>8}");
            }
        };
        table(
            &mut s,
            "executions per command",
            self.commands.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        );
        let _ = writeln!(s, "\ncases and executions per input kind:");
        for (k, (cases, execs)) in &self.kinds {
            let _ = writeln!(s, "  {k:<28} {cases:>8} {execs:>8}");
        }
        table(
            &mut s,
            "exits",
            self.exits.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        );
        table(
            &mut s,
            "failures by oracle",
            self.failures
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        );
        let _ = writeln!(
            s,
            "\n{} failing cases; {} distinct failures{}:",
            self.failing_cases,
            self.distinct.len(),
            if self.undistinguished > 0 {
                format!(" (and {} findings past the limit)", self.undistinguished)
            } else {
                String::new()
            }
        );
        let mut rows: Vec<&Distinct> = self.distinct.values().collect();
        rows.sort_by(|a, b| {
            (a.first.oracle, &a.first.command).cmp(&(b.first.oracle, &b.first.command))
        });
        for d in rows {
            let _ = writeln!(
                s,
                "  {:>5}x {} [{}, {}]: {}",
                d.count,
                d.first.oracle.name(),
                d.first.command,
                d.kind.name(),
                d.first.detail
            );
            if let Some(p) = &d.repro {
                let _ = writeln!(s, "         {}", p.display());
            }
        }
        if !self.harness_errors.is_empty() {
            let _ = writeln!(s, "\nharness errors ({}):", self.harness_errors.len());
            for e in self.harness_errors.iter().take(10) {
                let _ = writeln!(s, "  {e}");
            }
        }
        let _ = writeln!(s, "\nreproducers in {}", keep.display());
        s
    }
}

/// What makes two findings the same failure: the oracle, the command, the
/// input kind, and the detail with its numbers blurred (a panic keeps its
/// location).
pub fn signature(f: &Finding, kind: Kind) -> String {
    let detail = if f.detail.contains(".rs:") {
        f.detail.clone()
    } else {
        let mut out = String::new();
        let mut last_digit = false;
        for c in f.detail.chars() {
            if c.is_ascii_digit() {
                if !last_digit {
                    out.push('#');
                }
                last_digit = true;
            } else {
                out.push(c);
                last_digit = false;
            }
        }
        out
    };
    let detail: String = detail.chars().take(120).collect();
    format!("{}|{}|{}|{detail}", f.oracle.name(), f.command, kind.name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::Oracle;

    #[test]
    fn signatures_blur_numbers_but_keep_panic_locations() {
        let f = |oracle, detail: &str| Finding {
            oracle,
            command: "burn sao".to_string(),
            detail: detail.to_string(),
        };
        assert_eq!(
            signature(
                &f(Oracle::DiscState, "exit 3 but lba 12 and 345"),
                Kind::Wav
            ),
            "disc-state|burn sao|wav|exit # but lba # and #"
        );
        assert_eq!(
            signature(&f(Oracle::Panic, "at src/a.rs:12:5: x"), Kind::Cue),
            "panic|burn sao|cue|at src/a.rs:12:5: x"
        );
    }
}
