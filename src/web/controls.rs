//! The controls, generated from the parameter table: one widget per row, grouped.

use leptos::prelude::*;

use crate::params::{Domain, ExperimentConfig, Group, PARAMS, ParamSpec};

/// Slider position (0..=1000) of a value on a float knob's scale.
fn to_slider(value: f32, min: f32, max: f32, log: bool) -> f32 {
    if log {
        (value / min).ln() / (max / min).ln() * 1000.0
    } else {
        (value - min) / (max - min) * 1000.0
    }
}

/// The value of a slider position, rounded to 3 significant digits so URLs stay short.
fn from_slider(pos: f32, min: f32, max: f32, log: bool) -> f32 {
    let t = pos / 1000.0;
    let v = if log {
        min * (max / min).powf(t)
    } else {
        min + (max - min) * t
    };
    let digits = 2 - v.abs().log10().floor() as i32;
    let scale = 10f32.powi(digits.max(0));
    ((v * scale).round() / scale).clamp(min, max)
}

/// One knob. Every change goes through `ExperimentConfig::set`, so the table's checks apply.
#[component]
fn Knob(
    spec: &'static ParamSpec,
    config: RwSignal<ExperimentConfig>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let key = spec.key;
    let value = move || config.with(|c| c.get(key).unwrap_or_default());
    let apply = move |text: String| {
        let mut next = config.get_untracked();
        match next.set(key, &text) {
            Ok(()) => {
                error.set(None);
                config.set(next);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let input = match spec.domain {
        Domain::Choice(names) => view! {
            <select id=format!("knob-{key}") prop:value=value on:change=move |ev| apply(event_target_value(&ev))>
                {names.iter().map(|n| view! { <option value=*n>{*n}</option> }).collect_view()}
            </select>
        }
        .into_any(),
        Domain::Bool => view! {
            <input id=format!("knob-{key}") type="checkbox" prop:checked=move || value() == "1"
                on:change=move |ev| apply(if event_target_checked(&ev) { "1".into() } else { "0".into() }) />
        }
        .into_any(),
        Domain::Int { min, max } if max - min <= 64 => view! {
            <input id=format!("knob-{key}") type="range" min=min.to_string() max=max.to_string() step="1" prop:value=value
                on:input=move |ev| apply(event_target_value(&ev)) />
        }
        .into_any(),
        Domain::Int { min, max } => view! {
            <input id=format!("knob-{key}") type="number" min=min.to_string() max=max.to_string() step="1" prop:value=value
                on:change=move |ev| apply(event_target_value(&ev)) />
        }
        .into_any(),
        Domain::Float { min, max, log } => view! {
            <input id=format!("knob-{key}") type="range" min="0" max="1000" step="1"
                prop:value=move || to_slider(value().parse().unwrap_or(min), min, max, log).to_string()
                on:input=move |ev| {
                    let pos: f32 = event_target_value(&ev).parse().unwrap_or(0.0);
                    apply(from_slider(pos, min, max, log).to_string())
                } />
        }
        .into_any(),
    };
    view! {
        <label class="knob" title=spec.help>
            <span class="knob-label">{spec.label}</span>
            {input}
            <span class="knob-value">{value}</span>
        </label>
    }
}

/// All knobs, one fieldset per group.
#[component]
pub fn Controls(config: RwSignal<ExperimentConfig>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let groups = Group::ALL
        .iter()
        .map(|&group| {
            let knobs = PARAMS
                .iter()
                .filter(|p| p.group == group)
                .map(|spec| view! { <Knob spec=spec config=config error=error /> })
                .collect_view();
            view! {
                <fieldset class="group">
                    <legend>{group.title()}</legend>
                    {knobs}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <div class="controls">
            {move || error.get().map(|e| view! { <p class="knob-error">{e}</p> })}
            {groups}
        </div>
    }
}
