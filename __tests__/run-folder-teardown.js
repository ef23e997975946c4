"use strict";
module.exports = require("./synth-cache").teardown;
