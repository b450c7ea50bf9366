// "Use my location" on the report form: fills the map reference from the phone's location. Progressive enhancement:
// without JavaScript, or without permission, people type a postcode or the latitude and longitude.
(function () {
  "use strict";
  var slot = document.getElementById("locate-slot");
  var lat = document.getElementById("lat"), long = document.getElementById("long");
  if (!slot || !lat || !long || !navigator.geolocation) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "th-button th-button--secondary";
  button.textContent = "Use my current location";
  var status = document.createElement("span");
  status.setAttribute("role", "status");
  status.className = "th-hint";
  slot.appendChild(button);
  slot.appendChild(status);
  button.addEventListener("click", function () {
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(function (p) {
      lat.value = p.coords.latitude.toFixed(6);
      long.value = p.coords.longitude.toFixed(6);
      status.textContent = "Location found. Check it, then continue.";
    }, function () {
      status.textContent = "We could not get your location. Type a postcode or a map reference instead.";
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
