//! System information (docs: misc.rst, "API" — `uv_cpu_info`, `uv_loadavg`, `uv_uptime`,
//! the memory figures, `uv_resident_set_memory`, `uv_os_tmpdir`): what rsuv reads from
//! `/proc`, `/sys` and the environment, parsed in safe Rust. The system calls and the
//! memory handed to C live in the sibling modules ([`super::info`], [`super::dirs`]); this
//! module only reads files and parses text, so every parser here is a plain function with
//! unit tests.
//!
//! None of this runs callbacks, so no loop phase applies; everything may be called from any
//! thread (it touches no loop state).
//!
//! Sources, as libuv 1.44 uses them on Linux:
//! - CPUs: `/proc/stat` (one `cpuN` line per online CPU; times in clock ticks, reported in
//!   milliseconds as `ticks * (1000 / CLK_TCK)`), model names and speeds (`cpu MHz`,
//!   integer part) from `/proc/cpuinfo`, else the speed from
//!   `/sys/devices/system/cpu/cpuN/cpufreq/scaling_cur_freq` (kHz) / 1000.
//! - load averages: `/proc/loadavg`; uptime: `/proc/uptime`; memory: `MemAvailable` and
//!   `MemTotal` of `/proc/meminfo`; resident set: field 24 of `/proc/self/stat`, in pages.
//! - cgroup memory ([`CgroupMemory`]), as libuv 1.53 reads it: `/proc/self/cgroup` starting
//!   with `0::/` means cgroup v2 and the unified hierarchy's `memory.high`/`memory.max`/
//!   `memory.current` of that path; otherwise v1, with the path of the line whose
//!   controller is `memory` and its `memory.soft_limit_in_bytes`/`memory.limit_in_bytes`/
//!   `memory.usage_in_bytes` (the mount's root files when the cgroup's own are not
//!   visible). The limit is the smaller of soft and hard, "no limit" (v2 `max`, v1's
//!   page-rounded `LONG_MAX`) counting as `u64::MAX`, and 0 (unknown) when either cannot
//!   be read. Unlike libuv, rsuv reads all of `/proc/self/cgroup`, not its first 1023
//!   bytes.

use core::ffi::c_int;
use std::fs;

use crate::abi::errno::{UV_EIO, from_io};

// ---------------------------------------------------------------------------------------
// CPUs.

/// One CPU as `uv_cpu_info` reports it: model name, speed in MHz, times in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CpuInfo {
    pub(crate) model: Vec<u8>,
    pub(crate) speed: c_int,
    pub(crate) user: u64,
    pub(crate) nice: u64,
    pub(crate) sys: u64,
    pub(crate) idle: u64,
    pub(crate) irq: u64,
}

/// Every online CPU. `clk_tck` is `sysconf(_SC_CLK_TCK)` (ticks per second).
pub(crate) fn cpu_info(clk_tck: u64) -> Result<Vec<CpuInfo>, c_int> {
    let stat = fs::read_to_string("/proc/stat").map_err(|e| from_io(&e))?;
    let cpus = parse_stat(&stat)?;
    // libuv fails when /proc/cpuinfo cannot be opened; rsuv reports "unknown" models instead.
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let (models, speeds) = parse_cpuinfo(&cpuinfo, cpus.len());
    let multiplier = 1000u64.checked_div(clk_tck).unwrap_or(10);
    let mut out: Vec<CpuInfo> = cpus
        .iter()
        .zip(models)
        .zip(speeds)
        .map(|(((_, t), model), speed)| CpuInfo {
            model,
            speed,
            user: t[0].saturating_mul(multiplier),
            nice: t[1].saturating_mul(multiplier),
            sys: t[2].saturating_mul(multiplier),
            idle: t[3].saturating_mul(multiplier),
            irq: t[4].saturating_mul(multiplier),
        })
        .collect();
    // As libuv: /proc/cpuinfo's speeds win; without them, ask cpufreq (kHz) for each CPU.
    if out.first().is_some_and(|c| c.speed == 0) {
        for (ci, (n, _)) in out.iter_mut().zip(&cpus) {
            let path = format!("/sys/devices/system/cpu/cpu{n}/cpufreq/scaling_cur_freq");
            let khz = read_u64(&path).unwrap_or(0);
            ci.speed = c_int::try_from(khz / 1000).unwrap_or(c_int::MAX);
        }
    }
    Ok(out)
}

/// The per-CPU lines of `/proc/stat`: each CPU's number and its user, nice, system, idle
/// and irq ticks. The lines follow the aggregate `cpu` line and end at the first line that
/// does not start with `cpu`. `UV_EIO` when there are none or one is malformed.
fn parse_stat(stat: &str) -> Result<Vec<(u32, [u64; 5])>, c_int> {
    let mut lines = stat.lines();
    lines.next().ok_or(UV_EIO)?;
    let mut cpus = Vec::new();
    for line in lines.take_while(|l| l.starts_with("cpu")) {
        let mut fields = line.split_ascii_whitespace();
        let n = fields
            .next()
            .and_then(|f| f.strip_prefix("cpu"))
            .and_then(|n| n.parse::<u32>().ok())
            .ok_or(UV_EIO)?;
        let mut v = [0u64; 6];
        for slot in &mut v {
            *slot = fields.next().and_then(|f| f.parse().ok()).ok_or(UV_EIO)?;
        }
        // user nice system idle iowait irq: skip iowait.
        cpus.push((n, [v[0], v[1], v[2], v[3], v[5]]));
    }
    if cpus.is_empty() {
        return Err(UV_EIO);
    }
    Ok(cpus)
}

/// Model names and speeds (MHz) for `n` CPUs from `/proc/cpuinfo`, in order of appearance.
/// CPUs without a model get the last model seen, or "unknown" (libuv's rule); CPUs without
/// a speed get 0.
fn parse_cpuinfo(text: &str, n: usize) -> (Vec<Vec<u8>>, Vec<c_int>) {
    const MODEL: &str = "model name\t: ";
    const SPEED: &str = "cpu MHz\t\t: ";
    let mut models: Vec<Vec<u8>> = Vec::with_capacity(n);
    let mut speeds: Vec<c_int> = Vec::with_capacity(n);
    for line in text.lines() {
        if let Some(m) = line.strip_prefix(MODEL) {
            if models.len() < n {
                models.push(m.as_bytes().to_vec());
            }
        } else if let Some(s) = line.strip_prefix(SPEED)
            && speeds.len() < n
        {
            speeds.push(atoi(s));
        }
    }
    let fill = models
        .last()
        .cloned()
        .unwrap_or_else(|| b"unknown".to_vec());
    models.resize(n, fill);
    speeds.resize(n, 0);
    (models, speeds)
}

/// C's `atoi`: optional sign and leading digits; 0 when there are none.
fn atoi(s: &str) -> c_int {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        v = (v * 10 + i64::from(b - b'0')).min(i64::from(c_int::MAX));
    }
    (if neg { -v } else { v }) as c_int
}

// ---------------------------------------------------------------------------------------
// Load, uptime, memory.

/// The 1, 5 and 15 minute load averages from `/proc/loadavg`.
pub(crate) fn loadavg() -> Option<[f64; 3]> {
    parse_loadavg(&fs::read_to_string("/proc/loadavg").ok()?)
}

fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut f = text.split_ascii_whitespace().map(str::parse::<f64>);
    Some([f.next()?.ok()?, f.next()?.ok()?, f.next()?.ok()?])
}

/// Seconds since boot from `/proc/uptime`.
pub(crate) fn uptime() -> Option<f64> {
    fs::read_to_string("/proc/uptime")
        .ok()?
        .split_ascii_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The resident set size in bytes, from `/proc/self/stat` (`page_size`: bytes per page).
/// `UV_EINVAL` when the file cannot be parsed, as libuv.
pub(crate) fn resident_set_memory(page_size: u64) -> Result<u64, c_int> {
    let stat = fs::read("/proc/self/stat").map_err(|e| from_io(&e))?;
    let pages = parse_rss_pages(&stat).ok_or(crate::abi::errno::UV_EINVAL)?;
    Ok(pages.saturating_mul(page_size))
}

/// Field 24 (`rss`, in pages) of a `/proc/<pid>/stat` line. The command name (field 2) is
/// in parentheses and may hold spaces and parentheses itself, so fields are counted from
/// the last `)`.
fn parse_rss_pages(stat: &[u8]) -> Option<u64> {
    let close = stat.iter().rposition(|&b| b == b')')?;
    let rest = std::str::from_utf8(&stat[close + 1..]).ok()?;
    // rest starts at field 3 (state); rss is field 24.
    let v: i64 = rest.split_ascii_whitespace().nth(21)?.parse().ok()?;
    u64::try_from(v).ok()
}

/// A `/proc/meminfo` figure (`"MemTotal:"`, `"MemAvailable:"`) in bytes, if present.
pub(crate) fn meminfo(what: &str) -> Option<u64> {
    parse_meminfo(&fs::read_to_string("/proc/meminfo").ok()?, what)
}

fn parse_meminfo(text: &str, what: &str) -> Option<u64> {
    let line = text.lines().find_map(|l| l.strip_prefix(what))?;
    let kb: u64 = line.split_ascii_whitespace().next()?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// This process's line(s) of `/proc/self/cgroup`, for the memory figures of libuv 1.53:
/// `uv_get_constrained_memory` and `uv_get_available_memory` (module docs).
pub(crate) struct CgroupMemory {
    text: String,
}

/// Where the memory controller of this process is: cgroup v2's unified hierarchy (the
/// path after `0::/`), or v1's memory controller (the path after `:memory:/`, `None` when
/// no line names the controller alone).
#[derive(Debug, PartialEq, Eq)]
enum Controller<'a> {
    V1(Option<&'a str>),
    V2(&'a str),
}

/// The v1 "no limit" value: `LONG_MAX` rounded down to a page, as libuv computes it.
fn cgroup1_unlimited(page_size: u64) -> u64 {
    (i64::MAX as u64) & !(page_size.max(1) - 1)
}

impl CgroupMemory {
    /// `/proc/self/cgroup`, if it can be read.
    pub(crate) fn read() -> Option<Self> {
        fs::read_to_string("/proc/self/cgroup")
            .ok()
            .map(|text| Self { text })
    }

    /// libuv's reading of the file: v2 when it starts with `0::/` (a v2-only system lists
    /// one line); else v1, whose memory controller is on the first line with exactly
    /// `memory` as its controller list.
    fn controller(&self) -> Controller<'_> {
        if let Some(rest) = self.text.strip_prefix("0::/") {
            return Controller::V2(rest.split('\n').next().unwrap_or(""));
        }
        Controller::V1(self.text.lines().find_map(|line| {
            let (_, rest) = line.split_once(':')?;
            rest.strip_prefix("memory:/")
        }))
    }

    /// The memory limit of the cgroup in bytes: the smaller of the soft and hard limits
    /// (v1 `memory.soft_limit_in_bytes`/`memory.limit_in_bytes`, v2 `memory.high`/
    /// `memory.max`), where "no limit" (v1's page-rounded `LONG_MAX`, v2's `max`) is
    /// `u64::MAX`; 0 when either is unknown. v1 falls back to the mount's root files when
    /// the cgroup's own cannot both be read (as inside a container).
    pub(crate) fn limit(&self, page_size: u64) -> u64 {
        self.limit_with(page_size, |p| fs::read_to_string(p).ok())
    }

    fn limit_with(&self, page_size: u64, read: impl Fn(&str) -> Option<String>) -> u64 {
        let num = |p: String| read_cgroup_u64(read(&p));
        let (high, max) = match self.controller() {
            Controller::V2(path) => (
                num(format!("/sys/fs/cgroup/{path}/memory.high")),
                num(format!("/sys/fs/cgroup/{path}/memory.max")),
            ),
            Controller::V1(path) => {
                let own = path.map(|path| {
                    (
                        num(format!(
                            "/sys/fs/cgroup/memory/{path}/memory.soft_limit_in_bytes"
                        )),
                        num(format!(
                            "/sys/fs/cgroup/memory/{path}/memory.limit_in_bytes"
                        )),
                    )
                });
                let (high, max) = match own {
                    Some((h, m)) if h != 0 && m != 0 => (h, m),
                    _ => (
                        num("/sys/fs/cgroup/memory/memory.soft_limit_in_bytes".into()),
                        num("/sys/fs/cgroup/memory/memory.limit_in_bytes".into()),
                    ),
                };
                let unlimited = cgroup1_unlimited(page_size);
                let norm = |v: u64| if v == unlimited { u64::MAX } else { v };
                (norm(high), norm(max))
            }
        };
        if high == 0 || max == 0 {
            return 0;
        }
        high.min(max)
    }

    /// The memory the cgroup uses now, in bytes (v1 `memory.usage_in_bytes`, falling back
    /// to the mount's root file when the cgroup's own reads as 0; v2 `memory.current`);
    /// 0 when unknown.
    pub(crate) fn current(&self) -> u64 {
        self.current_with(|p| fs::read_to_string(p).ok())
    }

    fn current_with(&self, read: impl Fn(&str) -> Option<String>) -> u64 {
        let num = |p: String| read_cgroup_u64(read(&p));
        match self.controller() {
            Controller::V2(path) => num(format!("/sys/fs/cgroup/{path}/memory.current")),
            Controller::V1(path) => {
                let own = path.map_or(0, |path| {
                    num(format!(
                        "/sys/fs/cgroup/memory/{path}/memory.usage_in_bytes"
                    ))
                });
                if own != 0 {
                    own
                } else {
                    num("/sys/fs/cgroup/memory/memory.usage_in_bytes".into())
                }
            }
        }
    }
}

/// A cgroup file holding one number, read as libuv does: `scanf("%" SCNu64)` (leading
/// blanks, an optional sign, digits; `-n` wraps around and too large a number saturates,
/// as `strtoull`), else `u64::MAX` for exactly `"max\n"` (v2's "no limit"), else 0 (also
/// for a file that cannot be read).
fn read_cgroup_u64(text: Option<String>) -> u64 {
    let Some(text) = text else {
        return 0;
    };
    let t = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return if text == "max\n" { u64::MAX } else { 0 };
    }
    let v = t[..digits].parse::<u64>().unwrap_or(u64::MAX);
    if neg { v.wrapping_neg() } else { v }
}

/// A file holding one unsigned decimal number (cpufreq files and the like).
fn read_u64(path: &str) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

// ---------------------------------------------------------------------------------------
// Temporary directory.

/// `uv_os_tmpdir`'s answer: the first of `TMPDIR`, `TMP`, `TEMP`, `TEMPDIR` that is set
/// (even to the empty string, as libuv), else `/tmp`; one trailing slash removed unless the
/// path is `/`. `getenv` looks a name up.
pub(crate) fn tmpdir(getenv: impl Fn(&str) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut dir = ["TMPDIR", "TMP", "TEMP", "TEMPDIR"]
        .iter()
        .find_map(|n| getenv(n))
        .unwrap_or_else(|| b"/tmp".to_vec());
    if dir.len() > 1 && dir.last() == Some(&b'/') {
        dir.pop();
    }
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines() {
        let stat = "cpu  10 1 20 300 4 5 6 0 0 0\n\
                    cpu0 5 1 10 150 2 3 3 0 0 0\n\
                    cpu2 5 0 10 150 2 2 3 0 0 0\n\
                    intr 123\n\
                    cpu7 1 1 1 1 1 1\n";
        let cpus = parse_stat(stat).unwrap();
        assert_eq!(cpus, vec![(0, [5, 1, 10, 150, 3]), (2, [5, 0, 10, 150, 2])]);
        assert_eq!(parse_stat("cpu 1 2 3 4 5 6\nintr 1\n"), Err(UV_EIO));
        assert_eq!(parse_stat(""), Err(UV_EIO));
        assert_eq!(parse_stat("cpu 1\ncpu0 1 2\n"), Err(UV_EIO));
    }

    #[test]
    fn cpuinfo_models_and_speeds() {
        let text = "processor\t: 0\nmodel name\t: Fancy CPU @ 2.00GHz\ncpu MHz\t\t: 1999.998\n\n\
                    processor\t: 1\nmodel name\t: Other CPU\ncpu MHz\t\t: 2400.000\n\n";
        let (m, s) = parse_cpuinfo(text, 3);
        assert_eq!(
            m,
            vec![
                b"Fancy CPU @ 2.00GHz".to_vec(),
                b"Other CPU".to_vec(),
                b"Other CPU".to_vec()
            ]
        );
        assert_eq!(s, vec![1999, 2400, 0]);
        let (m, s) = parse_cpuinfo("", 2);
        assert_eq!(m, vec![b"unknown".to_vec(), b"unknown".to_vec()]);
        assert_eq!(s, vec![0, 0]);
        let (m, _) = parse_cpuinfo(text, 1);
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi("1999.998"), 1999);
        assert_eq!(atoi("  42x"), 42);
        assert_eq!(atoi("-7"), -7);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi("99999999999"), c_int::MAX);
    }

    #[test]
    fn live_cpu_info() {
        let cpus = cpu_info(100).unwrap();
        assert!(!cpus.is_empty());
        assert!(cpus.iter().all(|c| !c.model.is_empty()));
    }

    #[test]
    fn loadavg_and_uptime() {
        assert_eq!(
            parse_loadavg("0.50 1.25 2.00 1/234 5678\n"),
            Some([0.5, 1.25, 2.0])
        );
        assert_eq!(parse_loadavg("0.5 x"), None);
        assert!(loadavg().is_some());
        assert!(uptime().unwrap() > 0.0);
    }

    #[test]
    fn rss_field() {
        let mut line = String::from("1234 (a) b) c) S");
        for i in 4..=23 {
            line.push_str(&format!(" {i}"));
        }
        line.push_str(" 777 18446744073709551615 1 2\n");
        assert_eq!(parse_rss_pages(line.as_bytes()), Some(777));
        assert_eq!(parse_rss_pages(b"1234 (x) S 1 2"), None);
        assert_eq!(parse_rss_pages(b"no parens"), None);
        assert!(resident_set_memory(4096).unwrap() > 0);
    }

    #[test]
    fn meminfo_fields() {
        let text = "MemTotal:       24684084 kB\nMemFree:  100 kB\nMemAvailable:   24255292 kB\n";
        assert_eq!(parse_meminfo(text, "MemTotal:"), Some(24684084 * 1024));
        assert_eq!(parse_meminfo(text, "MemAvailable:"), Some(24255292 * 1024));
        assert_eq!(parse_meminfo(text, "Nope:"), None);
        assert!(meminfo("MemTotal:").unwrap() > 0);
    }

    fn files(entries: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: std::collections::HashMap<String, String> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |p| map.get(p).cloned()
    }

    const PAGE: u64 = 4096;
    const V1_UNLIMITED: &str = "9223372036854771712\n";

    fn cg(text: &str) -> CgroupMemory {
        CgroupMemory {
            text: text.to_string(),
        }
    }

    #[test]
    fn cgroup_numbers() {
        let n = |s: &str| read_cgroup_u64(Some(s.to_string()));
        assert_eq!(n("1048576\n"), 1 << 20);
        assert_eq!(n("  42 kB"), 42);
        assert_eq!(n("+7"), 7);
        assert_eq!(n("-1"), u64::MAX);
        assert_eq!(n("99999999999999999999999"), u64::MAX);
        assert_eq!(n("max\n"), u64::MAX);
        assert_eq!(n("max"), 0);
        assert_eq!(n(""), 0);
        assert_eq!(n("x1"), 0);
        assert_eq!(read_cgroup_u64(None), 0);
        assert_eq!(cgroup1_unlimited(4096), 0x7FFF_FFFF_FFFF_F000);
    }

    #[test]
    fn cgroup_controllers() {
        let c = cg("9:name=systemd:/\n4:memory:/a/b\n3:cpu:/\n0::/\n");
        assert_eq!(c.controller(), Controller::V1(Some("a/b")));
        assert_eq!(cg("4:memory:/\n").controller(), Controller::V1(Some("")));
        // Only a line whose controller list is exactly "memory" counts, as in libuv.
        assert_eq!(cg("5:cpu,memory:/x\n").controller(), Controller::V1(None));
        assert_eq!(
            cg("0::/user.slice/app\n").controller(),
            Controller::V2("user.slice/app")
        );
        assert_eq!(cg("0::/\n").controller(), Controller::V2(""));
        assert_eq!(cg("").controller(), Controller::V1(None));
    }

    #[test]
    fn cgroup_v1() {
        let c = cg("4:memory:/a/b\n3:cpu:/\n0::/\n");
        let own = "/sys/fs/cgroup/memory/a/b/";
        let read = files(&[
            (&format!("{own}memory.soft_limit_in_bytes"), "3000000\n"),
            (&format!("{own}memory.limit_in_bytes"), "2000000\n"),
            (&format!("{own}memory.usage_in_bytes"), "500\n"),
        ]);
        assert_eq!(c.limit_with(PAGE, &read), 2000000);
        assert_eq!(c.current_with(&read), 500);
        // No limit set: u64::MAX ("a constraining mechanism, but no constraint").
        let read = files(&[
            (&format!("{own}memory.soft_limit_in_bytes"), V1_UNLIMITED),
            (&format!("{own}memory.limit_in_bytes"), V1_UNLIMITED),
        ]);
        assert_eq!(c.limit_with(PAGE, &read), u64::MAX);
        let read = files(&[
            (&format!("{own}memory.soft_limit_in_bytes"), V1_UNLIMITED),
            (&format!("{own}memory.limit_in_bytes"), "4096\n"),
        ]);
        assert_eq!(c.limit_with(PAGE, &read), 4096);
        // The cgroup's own files are not visible: the mount's root.
        let read = files(&[
            (
                "/sys/fs/cgroup/memory/memory.soft_limit_in_bytes",
                V1_UNLIMITED,
            ),
            ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "8192\n"),
            ("/sys/fs/cgroup/memory/memory.usage_in_bytes", "77\n"),
        ]);
        assert_eq!(c.limit_with(PAGE, &read), 8192);
        assert_eq!(c.current_with(&read), 77);
        assert_eq!(
            cg("5:cpu,memory:/\n").limit_with(PAGE, &read),
            8192,
            "no memory-only line: the root"
        );
        // Nothing readable: unknown.
        assert_eq!(c.limit_with(PAGE, files(&[])), 0);
        assert_eq!(c.current_with(files(&[])), 0);
    }

    #[test]
    fn cgroup_v2() {
        let c = cg("0::/user.slice/app\n");
        let dir = "/sys/fs/cgroup/user.slice/app/";
        let read = files(&[
            (&format!("{dir}memory.max"), "max\n"),
            (&format!("{dir}memory.high"), "3000000\n"),
            (&format!("{dir}memory.current"), "1000\n"),
        ]);
        assert_eq!(c.limit_with(PAGE, &read), 3000000);
        assert_eq!(c.current_with(&read), 1000);
        let read = files(&[
            (&format!("{dir}memory.max"), "max\n"),
            (&format!("{dir}memory.high"), "max\n"),
        ]);
        assert_eq!(c.limit_with(PAGE, &read), u64::MAX);
        // Only one of the two: unknown.
        let read = files(&[(&format!("{dir}memory.max"), "5000\n")]);
        assert_eq!(c.limit_with(PAGE, &read), 0);
        let read = files(&[
            ("/sys/fs/cgroup//memory.max", "5000\n"),
            ("/sys/fs/cgroup//memory.high", "max\n"),
        ]);
        assert_eq!(cg("0::/\n").limit_with(PAGE, &read), 5000);
    }

    #[test]
    fn tmpdir_rules() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.as_bytes().to_vec())
            }
        };
        assert_eq!(tmpdir(env(&[])), b"/tmp");
        assert_eq!(tmpdir(env(&[("TEMP", "/x/"), ("TMP", "/y")])), b"/y");
        assert_eq!(tmpdir(env(&[("TEMPDIR", "/z/")])), b"/z");
        assert_eq!(tmpdir(env(&[("TMPDIR", "/")])), b"/");
        assert_eq!(tmpdir(env(&[("TMPDIR", "")])), b"");
    }
}
