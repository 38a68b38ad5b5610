//! Run history: finished runs kept in the browser (bounded), each with its link, date and
//! headline numbers; any two overlaid on the charts; kept across reloads until cleared.

use leptos::prelude::*;

use crate::web::dom;
use crate::web::run_history::RunHistory;

#[component]
pub fn HistoryPanel() -> impl IntoView {
    let history = expect_context::<RunHistory>();
    let toggle = move |i: usize| {
        history.overlays.update(|o| {
            if let Some(k) = o.iter().position(|&x| x == i) {
                o.remove(k);
            } else {
                o.push(i);
                if o.len() > 2 {
                    o.remove(0);
                }
            }
        })
    };
    let rows = move || {
        let overlays = history.overlays.get();
        history
            .entries
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let checked = overlays.contains(&i);
                let href = format!("{}?{}", dom::page_address(), e.link);
                view! {
                    <li class="history-entry">
                        <label>
                            <input type="checkbox" class="overlay" prop:checked=checked
                                on:change=move |_| toggle(i) />
                            {format!("run {} · {}", i + 1, dom::date(e.date))}
                        </label>
                        <span class="headline">{e.headline}</span>
                        <a href=href class="link">"open its link"</a>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <h2>"History"</h2>
        <p class="caption">"Finished runs, kept in this browser. Tick up to two to draw them dashed on the loss and probe charts."</p>
        <Show when=move || !history.entries.with(Vec::is_empty)
            fallback=|| view! { <p class="hint" id="history-empty">"No finished runs yet."</p> }>
            <ol id="history">{rows}</ol>
            <button id="clear-history" on:click=move |_| history.clear()>"Clear history"</button>
        </Show>
    }
}
