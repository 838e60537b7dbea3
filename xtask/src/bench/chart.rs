//! The charts, as SVG: req/s per contender, one panel per throughput scenario
//! (docs/bench.svg), and a side-by-side run's rate and peak memory (`bench --cli`).

use std::path::Path;

use plotters::prelude::*;

use super::report::median;
use super::runner::{Measured, Sample};
use super::scenarios::Metric;

/// One panel: its caption, a bar per contender, and how an axis value reads.
struct Panel {
    caption: String,
    bars: Vec<(String, f64)>,
    axis: fn(&f64) -> String,
}

fn thousands(value: &f64) -> String {
    format!("{:.0}k", value / 1000.0)
}

fn units(value: &f64) -> String {
    format!("{value:.0}")
}

/// docs/bench.svg: req/s per contender, one panel per throughput scenario.
pub fn draw(results: &[Measured], path: &Path) -> Result<(), String> {
    let panels: Vec<Panel> = results
        .iter()
        .filter(|m| m.scenario.metric == Metric::Throughput)
        .map(|m| Panel {
            caption: format!("{} (req/s)", m.scenario.id),
            bars: m
                .runs
                .iter()
                .map(|(contender, samples)| {
                    let rps = median(samples.iter().map(|s| s.rps).collect()).0;
                    (contender.label(), if rps.is_nan() { 0.0 } else { rps })
                })
                .collect(),
            axis: thousands,
        })
        .collect();
    draw_panels(&panels, path)
}

/// A side-by-side run's chart: each contender's median rate, then its median peak memory.
pub fn draw_side_by_side(
    title: &str,
    samples: &[(&'static str, Vec<Sample>)],
    path: &Path,
) -> Result<(), String> {
    let bars = |value: fn(&Sample) -> f64| -> Vec<(String, f64)> {
        samples
            .iter()
            .filter(|(_, runs)| !runs.is_empty())
            .map(|(name, runs)| (name.to_string(), median(runs.iter().map(value).collect()).0))
            .collect()
    };
    let panels = [
        Panel {
            caption: format!("{title}: URLs/s"),
            bars: bars(|s| s.rps),
            axis: thousands,
        },
        Panel {
            caption: "peak MiB".to_owned(),
            bars: bars(|s| s.max_rss_kib / 1024.0),
            axis: units,
        },
    ];
    draw_panels(&panels, path)
}

fn panel_height(panel: &Panel) -> u32 {
    40 + 22 * panel.bars.len() as u32
}

fn draw_panels(panels: &[Panel], path: &Path) -> Result<(), String> {
    if panels.iter().all(|p| p.bars.is_empty()) {
        return Ok(());
    }
    let height = 60 + panels.iter().map(panel_height).sum::<u32>();
    let root = SVGBackend::new(path, (900, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut area = root.clone();
    for panel in panels {
        let (drawn, rest) = area.split_vertically(panel_height(panel));
        area = rest;
        let bars = &panel.bars;
        let top = bars.iter().map(|(_, v)| *v).fold(1.0, f64::max) * 1.15;
        let mut chart = ChartBuilder::on(&drawn)
            .caption(&panel.caption, ("sans-serif", 16))
            .margin(6)
            .x_label_area_size(20)
            .y_label_area_size(260)
            .build_cartesian_2d(0.0..top, -0.5..bars.len() as f64 - 0.5)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = bars.iter().map(|(l, _)| l.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(bars.len())
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() > 0.01 || i < 0.0 {
                    return String::new();
                }
                labels.get(i as usize).cloned().unwrap_or_default()
            })
            .x_label_formatter(&panel.axis)
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (label, value))| {
                let color = if label.starts_with("grequests") {
                    RGBColor(31, 119, 180)
                } else if label.starts_with("python") || label.starts_with("library") {
                    RGBColor(214, 39, 40)
                } else {
                    RGBColor(140, 140, 140)
                };
                let y = i as f64;
                Rectangle::new([(0.0, y - 0.35), (*value, y + 0.35)], color.filled())
            }))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}
