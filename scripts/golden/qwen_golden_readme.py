"""README.md writers for the fixtures produced by make_qwen_golden.py (versions + what was computed)."""

BASE = """# Golden fixtures: tiny random Qwen2.5-VL (video path), HF transformers {transformers_version}

Written by `scripts/golden/make_qwen_golden.py` (git {script_git_commit}), seed {seed}:
transformers {transformers_version}, torch {torch_version}, numpy {numpy_version}, Python {python_version},
CPU, fp32, `attn_implementation="eager"`, `torch.set_num_threads(1)`, deterministic algorithms.
The same versions are in the `__metadata__` of `golden.safetensors` and in `manifest.json`.

Same model recipe, frames, prompt and tensor names as the transformers-4.50 fixture in
`../shared/golden/qwen2_5_vl_tiny` (read its README for the meaning of every tensor). Every
number here was computed by transformers' own modelling code except where noted below.

## Differences from the 4.50 fixture (transformers 5.x behaviour)

* Weight names in `model.safetensors`: {weight_naming} (5.x modules are
  `model.language_model.*` / `model.visual.*` in memory; 5.23's save_pretrained writes the Hub names back).
  config.json nests the LLM under `text_config` and calls the rope object `rope_parameters`.
* Weights: the same recipe as 4.50 draws the same values (same `named_parameters()` order), so
  `model.safetensors` equals the 4.50 fixture's tensor for tensor when the seed is 0.
* `resize_*` tensors are only written with `--with-resize` (Pillow {pillow_version} bicubic differs from the
  4.50 fixture's Pillow 9.4 on ~1% of values).
* `get_rope_index`: text after the video continues at `start + max(grid_h, grid_w) / merge` (spatial
  extent), not `max(video positions) + 1`. Here the question starts at position {question_start};
  rope_deltas = {rope_deltas}; decode positions continue from there.
* `text_rope_cos/sin` [3, L, 16]: 5.x `rotary_emb` mixes the three rows by mrope_section; the per-row
  tables (4.50 layout) are its output when one row's positions are fed on all three axes.
* `vision_rot_pos_emb` [N, 4] = cat(h * inv_freq, w * inv_freq) with transformers' `get_vision_position_ids`
  and the module's `inv_freq` (5.x returns cos/sin, not the angles).
* `vision_cu_window_seqlens_raw` is absent (5.x returns the window boundaries already de-duplicated).
* `pixel_values_videos`: the video processor needs torchvision (absent), so each frame is resized /
  rescaled / normalised with the PIL-backend `Qwen2VLImageProcessorPil` methods and patchified in
  the documented 4.50 video order (rows t, merged-row, merged-col, 2x2; each row C, T, py, px).
* `vision_block{{i}}_out`, `vision_patch_embed`, `vision_merger_out_window_order`: forward hooks.
  `inputs_embeds`: the decoder's input (pre-hook). `text_hidden_states`: [inputs_embeds, decoder layer 0
  output, final-norm output].

## Contents

generated_ids (greedy, 8 tokens): {generated_ids}

| name | dtype | shape |
| --- | --- | --- |
{rows}
"""

METHODS = """# A1..A8 reference logits, tiny Qwen2.5-VL, transformers {transformers_version}

Written by `scripts/golden/make_qwen_golden.py` (git {script_git_commit}); torch {torch_version}.
Masks and position policies as defined in `../shared/golden/qwen2_5_vl_tiny_methods/README.md`;
retain positions = `position_ids` of `../qwen2_5_vl_tiny/golden.safetensors` (5.x rule: question at
{question_start}). Each configuration: one forward with `attention_mask={{"full_attention": 4-D additive
float32 mask}}` (0 / finfo.min) and explicit [3, 1, 48] position_ids, `use_cache=False`.
Tensors: `<C>.mask` U8 [48,48], `<C>.position_ids` I64 [3,48], `<C>.logits` F32 [48,160], `<C>.next_token` I64 [1].

| name | configuration | masked pairs | max abs diff vs full | (rows 41-47) | next token | top1-top2 gap |
| --- | --- | --- | --- | --- | --- | --- |
{rows}
"""


def write_readmes(base, methods_dir, meta, golden, table, weight_naming):
    try:
        import PIL
        pillow_version = PIL.__version__
    except ImportError:
        pillow_version = "absent"
    info = dict(meta, weight_naming=weight_naming, pillow_version=pillow_version, question_start=int(golden["position_ids"][0, 41]),
                rope_deltas=golden["rope_deltas"].tolist(), generated_ids=golden["generated_ids"].tolist())
    rows = "\n".join(f"| `{k}` | {str(v.dtype).replace('torch.', '')} | {list(v.shape)} |" for k, v in golden.items())
    (base / "README.md").write_text(BASE.format(rows=rows, **info))
    mrows = "\n".join(f"| `{r['name']}` | {r['configuration']} | {r['masked_pairs']} | {r['max_abs_diff_vs_full']:.6g} | "
                      f"{r['max_abs_diff_question_rows']:.6g} | {r['next_token']} | {r['top1_top2_gap']:.4f} |"
                      for r in table)
    (methods_dir / "README.md").write_text(METHODS.format(rows=mrows, **info))
