#!/usr/bin/env node
import '../dist/cli/radbridge.js';
