/* Colour swatches of codes: the colour comes from data-colour, as inline styles are not
   allowed by the page's content security policy. */
(function () {
  "use strict";
  document.querySelectorAll(".swatch[data-colour]").forEach((swatch) => {
    swatch.style.backgroundColor = swatch.dataset.colour;
  });
})();
