// Lists to choose several from (<select multiple data-search>) become searchable: type to
// find, Enter or a click to choose, Backspace or × to remove. Without JavaScript, or if
// Tom Select did not load, the plain list stays and works with Ctrl-click.
"use strict";

function searchable(select) {
  const chooser = new TomSelect(select, {
    plugins: ["remove_button"],
    placeholder: select.dataset.search,
    hidePlaceholder: true,
    maxOptions: null,
    closeAfterSelect: false,
    render: {
      no_results: () => '<div class="no-results">Nothing found: only the people and things that may be chosen here are listed.</div>',
    },
  });
  const how = document.getElementById(`${select.id}-how`);
  if (how && how.dataset.withSearch) {
    how.textContent = how.dataset.withSearch;
  }
  const described = select.getAttribute("aria-describedby");
  if (described) {
    chooser.control_input.setAttribute("aria-describedby", described);
  }
  // The label now names the search box; the hidden list keeps the same name but is left
  // out for screen readers, which would otherwise meet the field twice.
  select.setAttribute("aria-labelledby", `${select.id}-ts-label`);
  select.setAttribute("aria-hidden", "true");
}

document.addEventListener("DOMContentLoaded", () => {
  if (typeof TomSelect === "undefined") return;
  document.querySelectorAll("select[multiple][data-search]").forEach(searchable);
});
