import { z } from 'zod';
import type { RolloutMode } from '../../domain/rollout-mode.js';

/**
 * The model manifest: what a model is (identity, intended use), what it needs of a series, how a
 * volume becomes its input tensors and how its output tensors become coded findings. The same
 * manifest runs the model in process (ONNX Runtime) or on a KServe v2 server (`remote`). Pure schema.
 */

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const positive = z.number().positive('must be above 0');
const probability = z.number().min(0, 'must be 0..1').max(1, 'must be 0..1');

/** A coded concept; SNOMED CT codes are digits, RadLex codes RID followed by digits. */
export const codeSchema = z
  .strictObject({ scheme: nonEmpty, value: nonEmpty, meaning: nonEmpty })
  .refine((c) => c.scheme !== 'SCT' || /^\d{6,18}$/.test(c.value), { message: 'a SNOMED CT (SCT) code value is 6 to 18 digits', path: ['value'] })
  .refine((c) => c.scheme !== 'RADLEX' || /^RID\d+$/.test(c.value), { message: 'a RadLex code value is RID followed by digits', path: ['value'] });

/** One threshold for every rollout mode, or one per mode (AnalysisInput.mode picks it). */
export const thresholdSchema = z.union([probability, z.strictObject({ silent: probability, assistive: probability, active: probability } satisfies Record<RolloutMode, typeof probability>)]);

const inputsSchema = z.strictObject({
  modalities: z.array(z.string().regex(/^[A-Z]{2,4}$/, 'a DICOM Modality such as CT')).min(1, 'name at least one modality'),
  bodyRegions: z.array(z.enum(['head', 'cervical-spine', 'chest', 'abdomen', 'pelvis', 'spine', 'extremity', 'whole-body', 'unknown'])).min(1).optional(),
  kernels: z.array(z.enum(['soft-tissue', 'bone', 'lung', 'unknown'])).min(1).optional(),
  primaryAxialOnly: z.boolean().optional(),
  minInstances: z.number().int().min(1).optional(),
});

const normaliseSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  /** The windowed grey 0..255 divided by 255. */
  z.strictObject({ kind: z.literal('unit') }),
  z.strictObject({ kind: z.literal('zscore'), mean: z.number(), std: positive }),
]);

const sizeTriple = z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]);

const layoutSchema = z.discriminatedUnion('kind', [
  /** One axial slice a tensor: [batch, 1, rows, columns]. */
  z.strictObject({ kind: z.literal('slice'), batch: z.number().int().min(1).max(64).default(1) }),
  /** 2.5D: `slices` neighbouring slices (odd, centred, edges repeated) as channels: [batch, slices, rows, columns]. */
  z.strictObject({ kind: z.literal('slab'), slices: z.number().int().min(3).max(31).refine((n) => n % 2 === 1, 'must be odd'), batch: z.number().int().min(1).max(64).default(1) }),
  /** 3D patches of [columns, rows, slices] voxels, overlapping by `overlap`: [1, 1, slices, rows, columns]. */
  z.strictObject({ kind: z.literal('patch'), size: sizeTriple, overlap: z.tuple([z.number().int().min(0), z.number().int().min(0), z.number().int().min(0)]).default([0, 0, 0]) })
    .refine((l) => l.overlap.every((o, a) => o * 2 <= (l.size[a] ?? 0)), { message: 'overlap must be at most half the patch size on every axis', path: ['overlap'] }),
]);

const preprocessingSchema = z
  .strictObject({
    /** Resample to this voxel spacing (mm, [columns, rows, slices]) first. */
    spacing: z.tuple([positive, positive, positive]).optional(),
    /** The DICOM linear VOI window in HU, giving grey 0..255. */
    window: z.strictObject({ center: z.number(), width: z.number().min(1, 'a window is at least 1 HU wide') }).optional(),
    normalise: normaliseSchema.default({ kind: 'none' }),
    layout: layoutSchema,
    /** HU of voxels outside the volume (patch padding). */
    padHu: z.number().default(-1024),
  })
  .refine((p) => p.normalise.kind !== 'unit' || p.window !== undefined, { message: 'scaling to [0, 1] needs a window to scale from', path: ['normalise'] });

const activationSchema = z.enum(['none', 'sigmoid', 'softmax']).default('none');
const tensorName = nonEmpty;

const classificationSchema = z.strictObject({
  kind: z.literal('classification'),
  /** Output tensor: [batch, labels] per call. */
  name: tensorName,
  activation: activationSchema,
  /** How per-slice or per-patch scores become the series score. */
  aggregate: z.enum(['max', 'mean']).default('max'),
  labels: z.array(z.strictObject({ index: z.number().int().min(0), type: codeSchema, site: codeSchema.optional(), threshold: thresholdSchema })).min(1),
});

const ucumVolumeUnits = z.enum(['mL', 'mm3', 'cm3']);

const segmentationSchema = z
  .strictObject({
    kind: z.literal('segmentation'),
    /** Output tensor: [batch, channels, rows, columns] (slice, slab) or [1, channels, slices, rows, columns] (patch). */
    name: tensorName,
    activation: activationSchema,
    /** argmax: a voxel takes its most probable channel; threshold: the most probable channel at or above the threshold. */
    method: z.enum(['argmax', 'threshold']),
    threshold: thresholdSchema.optional(),
    connectivity: z.union([z.literal(6), z.literal(26)]).default(6),
    /** Components below this volume are dropped. */
    minVolumeMl: z.number().min(0).default(0),
    labels: z.array(z.strictObject({ channel: z.number().int().min(0), type: codeSchema, site: codeSchema.optional(), volumeUnit: ucumVolumeUnits.default('mL') })).min(1),
  })
  .refine((s) => s.method !== 'threshold' || s.threshold !== undefined, { message: 'method threshold needs a threshold', path: ['threshold'] });

const heatmapSchema = z.strictObject({
  kind: z.literal('heatmap'),
  /** Output tensor shaped like a segmentation's; one channel per landmark. */
  name: tensorName,
  activation: activationSchema,
  /** The finding the landmarks belong to. */
  type: codeSchema,
  site: codeSchema.optional(),
  /** A landmark whose peak is below this is not reported. */
  minPeak: thresholdSchema.default(0),
  landmarks: z.array(z.strictObject({ channel: z.number().int().min(0), concept: codeSchema })).min(1),
});

const boxesSchema = z.strictObject({
  kind: z.literal('boxes'),
  /** Output tensor of rows [x0, y0, x1, y1, score, class] (slice, slab: voxel columns/rows of the slice) or [x0, y0, z0, x1, y1, z1, score, class] (patch). */
  name: tensorName,
  labels: z.array(z.strictObject({ class: z.number().int().min(0), type: codeSchema, site: codeSchema.optional(), threshold: thresholdSchema })).min(1),
});

const outputSchema = z.discriminatedUnion('kind', [classificationSchema, segmentationSchema, heatmapSchema, boxesSchema]);

const remoteSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'an http(s) URL of the KServe v2 server' }),
  model: nonEmpty.regex(/^[A-Za-z0-9_.-]+$/, 'a model name of letters, digits, dot, dash and underscore'),
  version: nonEmpty.regex(/^[A-Za-z0-9_.-]+$/, 'a version of letters, digits, dot, dash and underscore').optional(),
});

export const modelManifestSchema = z
  .strictObject({
    id: nonEmpty.regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    version: nonEmpty,
    name: nonEmpty,
    intendedUse: nonEmpty,
    manufacturer: nonEmpty.optional(),
    /** The ONNX file, relative to the manifest. */
    model: nonEmpty.optional(),
    /** sha256 (hex) of the model: checked against `model` when both are given; alone, it names what a remote server runs. */
    modelSha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits').optional(),
    inputs: inputsSchema,
    /** The model's input tensor; default its only input. */
    input: z.strictObject({ name: tensorName }).optional(),
    preprocessing: preprocessingSchema,
    outputs: z.array(outputSchema).min(1, 'name at least one output'),
    remote: remoteSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.model === undefined && (m.remote === undefined || m.modelSha256 === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'name the model file, or for a remote model give modelSha256' });
    }
    const layout = m.preprocessing.layout;
    m.outputs.forEach((o, n) => {
      if (o.kind === 'boxes' && layout.kind !== 'patch' && layout.batch !== 1) {
        ctx.addIssue({ code: 'custom', path: ['outputs', n, 'kind'], message: 'box outputs need preprocessing.layout.batch 1 (rows carry no batch index)' });
      }
    });
    const names = m.outputs.map((o) => o.name);
    names.forEach((name, n) => {
      if (names.indexOf(name) !== n) ctx.addIssue({ code: 'custom', path: ['outputs', n, 'name'], message: `output "${name}" is decoded twice` });
    });
  });

export type ModelManifest = z.infer<typeof modelManifestSchema>;
export type Threshold = z.infer<typeof thresholdSchema>;
export type Preprocessing = ModelManifest['preprocessing'];
export type InputLayout = Preprocessing['layout'];
export type OutputSpec = ModelManifest['outputs'][number];
export type ClassificationOutput = z.infer<typeof classificationSchema>;
export type SegmentationOutput = z.infer<typeof segmentationSchema>;
export type HeatmapOutput = z.infer<typeof heatmapSchema>;
export type BoxesOutput = z.infer<typeof boxesSchema>;
export type RemoteModel = z.infer<typeof remoteSchema>;
