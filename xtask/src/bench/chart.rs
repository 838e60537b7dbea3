//! The chart: req/s per contender, one panel per throughput scenario, as SVG.

use std::path::Path;

use plotters::prelude::*;

use super::runner::Measured;
use super::scenarios::Metric;

pub fn draw(results: &[Measured], path: &Path) -> Result<(), String> {
    let panels: Vec<(&str, Vec<(String, f64)>)> = results
        .iter()
        .filter(|m| m.scenario.metric == Metric::Throughput)
        .map(|m| {
            let bars = m
                .runs
                .iter()
                .map(|(contender, samples)| {
                    let mut rps: Vec<f64> = samples.iter().map(|s| s.rps).collect();
                    rps.sort_by(f64::total_cmp);
                    (
                        contender.label(),
                        rps.get(rps.len() / 2).copied().unwrap_or(0.0),
                    )
                })
                .collect();
            (m.scenario.id, bars)
        })
        .collect();
    if panels.is_empty() {
        return Ok(());
    }
    let height = 60
        + panels
            .iter()
            .map(|(_, bars)| 40 + 22 * bars.len() as u32)
            .sum::<u32>();
    let root = SVGBackend::new(path, (900, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let heights: Vec<u32> = panels
        .iter()
        .map(|(_, bars)| 40 + 22 * bars.len() as u32)
        .collect();
    let mut area = root.clone();
    for ((id, bars), panel_height) in panels.iter().zip(heights) {
        let (panel, rest) = area.split_vertically(panel_height);
        area = rest;
        let top = bars.iter().map(|(_, v)| *v).fold(1.0, f64::max) * 1.15;
        let mut chart = ChartBuilder::on(&panel)
            .caption(format!("{id} (req/s)"), ("sans-serif", 16))
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
            .x_label_formatter(&|v| format!("{:.0}k", v / 1000.0))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (label, value))| {
                let color = if label.starts_with("grequests") {
                    RGBColor(31, 119, 180)
                } else if label.starts_with("python") {
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
