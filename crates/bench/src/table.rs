//! The markdown view of a results file: every figure, each target with met / not met, and the
//! reference peer (OpenSID, ../shared/docs/peers.md) beside ours as a ratio.

use std::fmt::Write;

use serde_json::Value;

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1000.0)
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**not met**" }
}

fn page_run<'a>(backend: &'a Value, page: &str, connections: u64) -> Option<&'a Value> {
    backend["public_pages"]
        .as_array()?
        .iter()
        .find(|r| r["page"].as_str() == Some(page) && r["connections"].as_u64() == Some(connections))
}

pub fn markdown(results: &Value) -> String {
    let mut out = String::new();
    let m = &results["machine"];
    let bin = &results["balai_binary"];
    let _ = writeln!(out, "# Balai benchmark results\n");
    let _ = writeln!(
        out,
        "{} · {} CPU(s), {} · {} GiB · {} · balai {} build, {:.1} MB{}\n",
        results["generated_at"].as_str().unwrap_or(""),
        m["cpus"],
        m["cpu_model"].as_str().unwrap_or(""),
        m["memory_gib"],
        m["os"].as_str().unwrap_or(""),
        bin["profile"].as_str().unwrap_or(""),
        num(&bin["bytes"]) / 1e6,
        if results["quick"].as_bool() == Some(true) { " · QUICK RUN (sizes reduced, not for publishing)" } else { "" }
    );
    let _ =
        writeln!(out, "The load generator runs on the same machine as the server (loopback) and shares its cores.\n");
    let backends = results["backends"].as_array().cloned().unwrap_or_default();
    let sqlite = backends.iter().find(|b| b["backend"] == "sqlite");
    let postgres = backends.iter().find(|b| b["backend"] == "postgres");

    // Targets.
    let _ = writeln!(out, "## Targets\n\n| target | measured | |\n|---|---|---|");
    if let Some(s) = sqlite {
        for page in [
            "village portal page",
            "report tracking page",
            "PPID portal home",
            "DIP item page",
            "information request form",
        ] {
            if let Some(r) = page_run(s, page, 64) {
                let ok = num(&r["per_s"]) >= 5000.0 && num(&r["p99_ms"]) < 20.0;
                let _ = writeln!(
                    out,
                    "| {page}: ≥ 5,000 req/s, p99 < 20 ms at 64 connections (SQLite) | {:.0} req/s, p99 {:.1} ms | {} |",
                    num(&r["per_s"]),
                    num(&r["p99_ms"]),
                    met(ok)
                );
            }
        }
    }
    for b in &backends {
        let name = b["backend"].as_str().unwrap_or("");
        let s = &b["submissions"];
        let _ = writeln!(
            out,
            "| report submissions ≥ 1,000/s ({name}) | {:.0}/s, p99 {:.1} ms | {} |",
            num(&s["per_s"]),
            num(&s["p99_ms"]),
            met(num(&s["per_s"]) >= 1000.0)
        );
        let l = &b["letters"];
        let best = num(&l["sequential_per_s"]).max(num(&l["concurrent_per_s"]));
        let _ = writeln!(
            out,
            "| letters ≥ 80/s end to end ({name}) | {:.1}/s one at a time, {:.1}/s two at a time | {} |",
            num(&l["sequential_per_s"]),
            num(&l["concurrent_per_s"]),
            met(best >= 80.0)
        );
    }
    if let Some(p) = postgres {
        let d = &p["dataset"];
        let worst = d["queries"].as_array().into_iter().flatten().map(|q| num(&q["p95_ms"])).fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "| dashboard and search p95 < 300 ms at {} reports (PostgreSQL) | slowest query p95 {:.1} ms; scoreboard computed in {:.0} ms (then cached 1 min) | {} |",
            d["generated"]["reports"],
            worst,
            num(&d["scoreboard_first_ms"]),
            met(worst < 300.0 && num(&d["scoreboard_first_ms"]) < 300.0)
        );
    }
    for b in &backends {
        let _ = writeln!(
            out,
            "| idle RSS < 50 MB ({}) | {:.1} MiB empty, {:.1} MiB with the demo, {:.1} MiB after load | {} |",
            b["backend"].as_str().unwrap_or(""),
            num(&b["idle_rss_empty_mib"]),
            num(&b["idle_rss_demo_mib"]),
            num(&b["idle_rss_after_load_mib"]),
            met(num(&b["idle_rss_after_load_mib"]) * 1.048_576 < 50.0)
        );
    }
    let weights = results["page_weight"].as_array().cloned().unwrap_or_default();
    let heaviest = weights.iter().map(|w| num(&w["html_gzip_bytes"]) + num(&w["css_gzip_bytes"])).fold(0.0, f64::max);
    let scripts: f64 = weights.iter().map(|w| num(&w["script_tags"])).sum();
    let _ = writeln!(
        out,
        "| citizen pages < 30 KB compressed, no JavaScript needed | heaviest {} (HTML+CSS, gzip); {} script tags besides the offline installer | {} |\n",
        kb(heaviest),
        scripts,
        met(heaviest < 30_000.0 && scripts == 0.0)
    );

    // OpenSID beside us.
    if let Some(s) = sqlite {
        let _ = writeln!(out, "## Beside OpenSID (../shared/docs/peers.md, same kind of machine)\n");
        let _ = writeln!(out, "| what | OpenSID | Balai (SQLite) | ratio |\n|---|---|---|---|");
        if let Some(h) = page_run(s, "home page (/)", 16) {
            let _ = writeln!(
                out,
                "| public home page, 16 connections | 18.9 req/s, p50 839 ms, p99 1,030 ms | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | {:.0}× the requests, p99 {:.0}× lower |",
                num(&h["per_s"]),
                num(&h["p50_ms"]),
                num(&h["p99_ms"]),
                num(&h["per_s"]) / 18.9,
                1030.0 / num(&h["p99_ms"]).max(0.001)
            );
        }
        if let Some(home) = weights.iter().find(|w| w["page"] == "home page") {
            let gz = num(&home["html_gzip_bytes"]) + num(&home["css_gzip_bytes"]);
            let _ = writeln!(
                out,
                "| home page weight (gzip, all requests) | 822 KB in 59 requests | {} in 2 requests | {:.0}× lighter |",
                kb(gz),
                822_000.0 / gz.max(1.0)
            );
            let _ = writeln!(
                out,
                "| home page HTML | 68 KB | {} | {:.0}× smaller |",
                kb(num(&home["html_bytes"])),
                68_000.0 / num(&home["html_bytes"]).max(1.0)
            );
        }
        let _ = writeln!(
            out,
            "| memory under load | ≈ 420 MiB | {:.1} MiB peak | {:.0}× less |",
            num(&s["peak_rss_mib"]),
            420.0 / num(&s["peak_rss_mib"]).max(0.1)
        );
        let _ = writeln!(
            out,
            "| memory idle | 245–385 MiB | {:.1} MiB | {:.0}× less |",
            num(&s["idle_rss_after_load_mib"]),
            245.0 / num(&s["idle_rss_after_load_mib"]).max(0.1)
        );
        let _ = writeln!(
            out,
            "| cold start to first page | 1.0–1.2 s | {:.0} ms (new database, migrations included) | {:.0}× faster |",
            num(&s["cold_start_ms"]),
            1000.0 / num(&s["cold_start_ms"]).max(0.1)
        );
        let per_letter = 1000.0 / num(&s["letters"]["sequential_per_s"]).max(0.001);
        let _ = writeln!(
            out,
            "| one letter | 347 ms for the PDF step, 711 ms the whole flow | {per_letter:.1} ms for number, PDF, signature and storage | {:.0}× faster than its whole flow |\n",
            711.0 / per_letter.max(0.001)
        );
    }

    // Everything measured.
    let _ = writeln!(out, "## Public pages (requests/s, p50 / p99 ms)\n");
    let _ =
        writeln!(out, "| database | page | 16 connections | 64 connections | 256 connections |\n|---|---|---|---|---|");
    for b in &backends {
        for page in [
            "home page (/)",
            "village portal page",
            "report tracking page",
            "PPID portal home",
            "DIP item page",
            "information request form",
        ] {
            let cell = |c: u64| {
                page_run(b, page, c).map_or("–".to_string(), |r| {
                    format!("{:.0}/s, {:.1} / {:.1}", num(&r["per_s"]), num(&r["p50_ms"]), num(&r["p99_ms"]))
                })
            };
            let _ = writeln!(
                out,
                "| {} | {page} | {} | {} | {} |",
                b["backend"].as_str().unwrap_or(""),
                cell(16),
                cell(64),
                cell(256)
            );
        }
    }
    let _ = writeln!(out, "\n## Submissions, letters, memory, start\n");
    let _ = writeln!(
        out,
        "| database | submissions (32 conn.) | letters one / two at a time | cold start | RSS idle empty / demo / after load, peak |\n|---|---|---|---|---|"
    );
    for b in &backends {
        let s = &b["submissions"];
        let l = &b["letters"];
        let _ = writeln!(
            out,
            "| {} | {:.0}/s, p50 {:.1} / p99 {:.1} ms ({} stored, {} messages) | {:.1}/s, {:.1}/s ({} numbers checked) | {:.0} ms | {:.1} / {:.1} / {:.1} MiB, peak {:.1} MiB |",
            b["backend"].as_str().unwrap_or(""),
            num(&s["per_s"]),
            num(&s["p50_ms"]),
            num(&s["p99_ms"]),
            s["stored"],
            s["messages"],
            num(&l["sequential_per_s"]),
            num(&l["concurrent_per_s"]),
            l["numbers_checked"],
            num(&b["cold_start_ms"]),
            num(&b["idle_rss_empty_mib"]),
            num(&b["idle_rss_demo_mib"]),
            num(&b["idle_rss_after_load_mib"]),
            num(&b["peak_rss_mib"])
        );
    }
    let _ = writeln!(out, "\n## Regency dashboard and search over the large dataset (one request at a time)\n");
    for b in &backends {
        let d = &b["dataset"];
        let g = &d["generated"];
        let _ = writeln!(
            out,
            "**{}**: {} regions, {} register entries, {} letter requests, {} letters, {} reports, {} survey responses (generated in {:.0} s); the scoreboard's first computation took {:.0} ms, the regency dashboard's first view (its year summed) {:.0} ms.\n",
            b["backend"].as_str().unwrap_or(""),
            g["regions"],
            g["register_entries"],
            g["letter_requests"],
            g["letters"],
            g["reports"],
            g["survey_responses"],
            num(&g["seconds"]),
            num(&d["scoreboard_first_ms"]),
            num(&d["dashboard_first_ms"])
        );
        let _ = writeln!(out, "| query | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|");
        for q in d["queries"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "| {} | {:.1} | {:.1} | {:.1} |",
                q["name"].as_str().unwrap_or(""),
                num(&q["p50_ms"]),
                num(&q["p95_ms"]),
                num(&q["p99_ms"])
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Page weight (bytes as sent: plain / gzip / br)\n");
    let _ = writeln!(out, "| page | HTML | CSS | HTML+CSS gzip | script tags |\n|---|---|---|---|---|");
    for w in &weights {
        let _ = writeln!(
            out,
            "| {} | {} / {} / {} | {} / {} / {} | {} | {} |",
            w["page"].as_str().unwrap_or(""),
            w["html_bytes"],
            w["html_gzip_bytes"],
            w["html_br_bytes"],
            w["css_bytes"],
            w["css_gzip_bytes"],
            w["css_br_bytes"],
            kb(num(&w["html_gzip_bytes"]) + num(&w["css_gzip_bytes"])),
            w["script_tags"]
        );
    }
    out
}
