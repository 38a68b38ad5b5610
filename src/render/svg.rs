//! Line charts as SVG text: the page's live charts and the CLI's report charts are the same
//! drawing code.

/// Ten distinguishable colours (Tableau 10).
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub colour: String,
    pub points: Vec<(f32, f32)>,
    /// Reference lines (chance, pinned runs) are dashed.
    pub dashed: bool,
}

impl Series {
    pub fn new(
        name: impl Into<String>,
        colour: impl Into<String>,
        points: Vec<(f32, f32)>,
    ) -> Self {
        Self {
            name: name.into(),
            colour: colour.into(),
            points,
            dashed: false,
        }
    }

    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }
}

/// How a chart is laid out beyond its lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Axes {
    /// Fixed vertical range (accuracies: 0..1); otherwise fitted to the data.
    pub y_range: Option<(f32, f32)>,
    /// Names of x = 0, 1, 2, ... for a categorical axis.
    pub x_labels: Option<Vec<String>>,
    pub x_title: String,
    /// Dots at every point (few points, as in a sweep).
    pub markers: bool,
}

pub const WIDTH: f32 = 360.0;
pub const HEIGHT: f32 = 190.0;
const LEFT: f32 = 42.0;
const RIGHT: f32 = 12.0;
const TOP: f32 = 8.0;
const BOTTOM: f32 = 40.0;

fn n(v: f32) -> String {
    format!("{v:.1}")
}

fn fmt_tick(v: f32) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The inside of a `0 0 WIDTH HEIGHT` SVG: axes, ticks, lines, markers, legend.
pub fn line_chart_body(series: &[Series], axes: &Axes) -> String {
    let finite = |p: &&(f32, f32)| p.0.is_finite() && p.1.is_finite();
    let all: Vec<(f32, f32)> = series
        .iter()
        .flat_map(|s| s.points.iter().filter(finite).copied())
        .collect();
    let (mut x0, mut x1) = all
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (mut y0, mut y1) = axes.y_range.unwrap_or_else(|| {
        all.iter()
            .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)))
    });
    if let Some(labels) = &axes.x_labels {
        (x0, x1) = (0.0, labels.len().saturating_sub(1) as f32);
    } else if all.is_empty() {
        (x0, x1) = (0.0, 1.0);
    }
    if all.is_empty() && axes.y_range.is_none() {
        (y0, y1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        (x0, x1) = (x0 - 0.5, x0 + 0.5);
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let sx = |x: f32| LEFT + (x - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
    let sy = |y: f32| TOP + (1.0 - (y - y0) / (y1 - y0)) * (HEIGHT - TOP - BOTTOM);
    let base = HEIGHT - BOTTOM;
    let mut out = String::new();
    let mut push = |s: String| out.push_str(&s);
    push(format!(
        r##"<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="#999"/><line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="#999"/>"##,
        l = n(LEFT),
        t = n(TOP),
        b = n(base),
        r = n(WIDTH - RIGHT)
    ));
    let text = |x: f32, y: f32, anchor: &str, s: &str| {
        format!(
            r##"<text x="{}" y="{}" font-size="9" text-anchor="{anchor}" fill="#555">{}</text>"##,
            n(x),
            n(y),
            escape(s)
        )
    };
    push(text(LEFT - 4.0, TOP + 8.0, "end", &fmt_tick(y1)));
    push(text(LEFT - 4.0, base, "end", &fmt_tick(y0)));
    match &axes.x_labels {
        Some(labels) => {
            for (i, l) in labels.iter().enumerate() {
                push(text(sx(i as f32), base + 11.0, "middle", l));
            }
        }
        None => {
            push(text(LEFT, base + 11.0, "start", &fmt_tick(x0)));
            push(text(WIDTH - RIGHT, base + 11.0, "end", &fmt_tick(x1)));
        }
    }
    // The x axis's name between its end ticks (a categorical axis names every position).
    if !axes.x_title.is_empty() && axes.x_labels.is_none() {
        push(text(
            (LEFT + WIDTH - RIGHT) / 2.0,
            base + 11.0,
            "middle",
            &axes.x_title,
        ));
    }
    for s in series {
        let pts: Vec<&(f32, f32)> = s.points.iter().filter(finite).collect();
        let d: String = pts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { "L" },
                    sx(p.0),
                    sy(p.1)
                )
            })
            .collect();
        let dash = if s.dashed { "5,4" } else { "" };
        push(format!(
            r#"<path d="{d}" fill="none" stroke="{}" stroke-width="1.8" stroke-dasharray="{dash}"/>"#,
            escape(&s.colour)
        ));
        if axes.markers && !s.dashed {
            for p in pts {
                push(format!(
                    r#"<circle cx="{}" cy="{}" r="2.6" fill="{}"/>"#,
                    n(sx(p.0)),
                    n(sy(p.1)),
                    escape(&s.colour)
                ));
            }
        }
    }
    for (i, s) in series.iter().enumerate() {
        let x = LEFT + (i % 3) as f32 * 105.0;
        let y = HEIGHT - 18.0 + (i / 3) as f32 * 11.0;
        push(format!(
            r#"<rect x="{}" y="{}" width="10" height="3" fill="{}"/>"#,
            n(x),
            n(y - 7.0),
            escape(&s.colour)
        ));
        push(text(x + 13.0, y, "start", &s.name));
    }
    out
}

/// A standalone SVG file: a title above the chart.
pub fn line_chart_file(title: &str, series: &[Series], axes: &Axes) -> String {
    let legend_rows = series.len().div_ceil(3).saturating_sub(2) as f32;
    let height = HEIGHT + 16.0 + legend_rows * 11.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 -16 {w} {h}" width="{w2}" height="{h2}" font-family="sans-serif"><rect x="0" y="-16" width="{w}" height="{h}" fill="#fff"/><text x="4" y="-4" font-size="10" fill="#222">{t}</text>{body}</svg>"##,
        w = WIDTH,
        h = height,
        w2 = WIDTH * 2.0,
        h2 = height * 2.0,
        t = escape(title),
        body = line_chart_body(series, axes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_land_inside_the_plot_and_text_is_escaped() {
        let s = vec![
            Series::new(
                "a<b",
                colour(0),
                vec![(0.0, 0.0), (10.0, 1.0), (5.0, f32::NAN)],
            ),
            Series::new("chance", "#888", vec![(0.0, 0.1), (10.0, 0.1)]).dashed(),
        ];
        let body = line_chart_body(
            &s,
            &Axes {
                y_range: Some((0.0, 1.0)),
                markers: true,
                ..Axes::default()
            },
        );
        // (0, 0) is the bottom-left corner, (10, 1) the top-right; NaN is left out.
        assert!(body.contains(r#"d="M42.0,150.0L348.0,8.0""#), "{body}");
        assert!(body.contains("a&lt;b"));
        assert_eq!(
            body.matches("<circle").count(),
            2,
            "no markers on dashed lines"
        );
        assert!(body.contains(r#"stroke-dasharray="5,4""#));
        let file = line_chart_file("t", &s, &Axes::default());
        assert!(file.starts_with("<svg") && file.ends_with("</svg>"));
    }

    #[test]
    fn categorical_axes_name_each_position() {
        let body = line_chart_body(
            &[Series::new("x", colour(1), vec![(0.0, 0.5), (2.0, 0.7)])],
            &Axes {
                x_labels: Some(vec!["ntxent".into(), "swd".into(), "au".into()]),
                ..Axes::default()
            },
        );
        for l in ["ntxent", "swd", "au"] {
            assert!(body.contains(&format!(">{l}</text>")));
        }
    }
}
