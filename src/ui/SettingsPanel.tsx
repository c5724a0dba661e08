import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../state/studio';
import { METHODS } from '../shared/methods';
import { SETTING_RULES, cardSampling, withRecipe, type DiffusionSampler, type Schedule, type UnlearnMasks, type UnlearnSettings } from '../shared/settings';
import { TASK_LABELS, modelTaskIds, type TaskId } from '../shared/tasks';
import { taskQuality } from './task-quality';
import { isRunActive } from '../state/run-phase';
import { CALIBRATION_IMAGES, type CalibrationGoalKind } from '../shared/calibration';

type NumericKey = Exclude<keyof UnlearnSettings, 'noise' | 'method' | 'task' | 'schedule' | 'unlearnMasks'>;

interface FieldSpec {
  key: NumericKey;
  testId: string;
  label: string;
  step: number | 'any';
  min: number;
  help?: string;
}

const FIELDS: FieldSpec[] = [
  { key: 'alpha', testId: 'setting-alpha', label: 'α', step: 0.05, min: 0, help: 'weight of the forget term: L = L_R + α·L_F' },
  { key: 'learningRate', testId: 'setting-lr', label: 'learning rate', step: 'any', min: 0 },
  { key: 'steps', testId: 'setting-steps', label: 'steps', step: 1, min: 1 },
  { key: 'batchSize', testId: 'setting-batch', label: 'batch size', step: 2, min: 2 },
  { key: 'warmupFraction', testId: 'setting-warmup', label: 'warm-up fraction', step: 0.01, min: 0 },
  { key: 'beta2', testId: 'setting-beta2', label: 'Adam β2', step: 0.001, min: 0 },
  { key: 'weightDecay', testId: 'setting-weight-decay', label: 'weight decay', step: 0.01, min: 0 },
  { key: 'clipNorm', testId: 'setting-clip', label: 'gradient clip', step: 0.5, min: 0, help: 'global norm the gradients are clipped to; 0: none' },
  { key: 'seed', testId: 'setting-seed', label: 'seed', step: 1, min: 0 },
];

const SCHEDULES: { value: Schedule; label: string }[] = [
  { value: 'warmup-cosine', label: 'warm-up, then half-cosine' },
  { value: 'constant', label: 'constant' },
];

const NOISES: UnlearnSettings['noise'][] = ['normal', 'uniform', 'constant'];

const UNLEARN_MASK_OPTIONS: { value: UnlearnMasks; label: string }[] = [
  { value: 'task', label: "the task's" },
  { value: 'hybrid', label: 'hybrid: box + brush strokes' },
];

function parse(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

export function SettingsPanel() {
  const { settings, runPhase, model, stopAtTarget } = useStudio(useShallow((s) => ({ settings: s.settings, runPhase: s.run.phase, model: s.model, stopAtTarget: s.stopAtTarget })));
  const updateSettings = useStudio((s) => s.updateSettings);
  const markSettingInvalid = useStudio((s) => s.markSettingInvalid);
  const disabled = isRunActive(runPhase);
  const method = METHODS.find((m) => m.id === settings.method);
  // Only the tasks the loaded model was trained on: a centre-hole model has never seen a patch mask.
  const tasks = model ? modelTaskIds(model) : [];
  const task = settings.task && tasks.includes(settings.task) ? settings.task : tasks[0];
  const quality = model && task ? taskQuality(model, task) : undefined;
  const sampling = model && cardSampling(model.architecture);

  return (
    <section className="panel settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <div className="fields">
        <SelectField
          label="method"
          testId="setting-method"
          value={settings.method}
          options={METHODS.map((m) => ({ value: m.id, label: m.title }))}
          disabled={disabled}
          onChange={(value) => updateSettings({ method: value as UnlearnSettings['method'] })}
          help={method && `trains the ${method.trains}: ${method.description}`}
        />
        {model && (
          <p className="help recipe" data-testid="setting-recipe">
            Starts from the model&apos;s recipe: {model.recipe?.source ?? "the project's default"}.{' '}
            <button type="button" className="link" disabled={disabled} data-testid="setting-recipe-reset" onClick={() => updateSettings(withRecipe(settings, model.recipe, stopAtTarget.on))}>
              reset to it
            </button>
          </p>
        )}
        {FIELDS.map((spec) => (
          <NumberField
            key={spec.key}
            spec={spec}
            value={settings[spec.key]}
            disabled={disabled}
            onValid={(n) => updateSettings({ [spec.key]: n })}
            onValidity={(valid) => markSettingInvalid(spec.key, !valid)}
          />
        ))}
        <SelectField
          label="schedule"
          testId="setting-schedule"
          value={settings.schedule}
          options={SCHEDULES}
          disabled={disabled}
          onChange={(value) => updateSettings({ schedule: value as Schedule })}
        />
        {tasks.length > 0 && (
          <SelectField
            label="task"
            testId="setting-task"
            value={task}
            options={tasks.map((id) => ({ value: id, label: TASK_LABELS[id] }))}
            disabled={disabled || tasks.length === 1}
            onChange={(value) => updateSettings({ task: value as TaskId })}
            help={tasks.length === 1 ? 'the only task this model was trained on' : undefined}
          />
        )}
        {quality && (
          <p className={`task-quality ${quality.warning ? 'note warning' : 'help'}`} data-testid="task-quality" data-below-mean-fill={quality.belowMeanFill}>
            This model, {quality.text}
            {(quality.warning ?? quality.note) && `: ${quality.warning ?? quality.note}`}.
          </p>
        )}
        <SelectField
          label="unlearning masks"
          testId="setting-unlearn-masks"
          value={settings.unlearnMasks}
          options={UNLEARN_MASK_OPTIONS}
          disabled={disabled}
          onChange={(value) => updateSettings({ unlearnMasks: value as UnlearnMasks })}
          help={
            model?.family === 'mage'
              ? 'MAGE unlearns under its own random token masks either way'
              : "the masks the unlearning steps draw (hybrid: a random box and brush strokes per image, the official Palette masks); the metrics use the task"
          }
        />
        {sampling && (
          <>
            <SamplerField defaultSampler={sampling.sampler} disabled={disabled} />
            <SampleStepsField defaultSteps={sampling.sampleSteps} disabled={disabled} />
          </>
        )}
        <EvalImagesField disabled={disabled} />
        <StopAtTargetFields disabled={disabled} />
        <SelectField
          label="noise"
          testId="setting-noise"
          value={settings.noise}
          options={NOISES.map((noise) => ({ value: noise, label: noise }))}
          disabled={disabled}
          onChange={(value) => updateSettings({ noise: value as UnlearnSettings['noise'] })}
        />
      </div>
    </section>
  );
}

const GOALS: { value: CalibrationGoalKind; label: string }[] = [
  { value: 'retrained', label: 'the retrained model' },
  { value: 'unseen-class', label: 'a class never seen (estimated)' },
  { value: 'psnr', label: 'a PSNR I set' },
];

/**
 * Calibrated unlearning: forget as much as a model retrained without the forget set would, and
 * stop there. Turning it on switches α and the learning rate to the recipe's calibrated values.
 */
function StopAtTargetFields({ disabled }: { disabled: boolean }) {
  const { choice, recipe } = useStudio(useShallow((s) => ({ choice: s.stopAtTarget, recipe: s.model?.recipe })));
  const setStopAtTarget = useStudio((s) => s.setStopAtTarget);
  const id = useId();
  const [psnrText, setPsnrText] = useState(String(choice.forgetPsnr));
  const psnrUsable = Number(psnrText) > 0 && psnrText.trim() !== '';
  return (
    <fieldset className="stop-at-target" data-testid="stop-at-target">
      <legend>
        <label className="toggle">
          <input type="checkbox" data-testid="setting-stop-at-target" checked={choice.on} disabled={disabled} onChange={(e) => setStopAtTarget({ on: e.target.checked })} />
          stop at target
        </label>
      </legend>
      <span className="help">
        forget only as much as exact unlearning would: every k steps the run measures forget and retain PSNR on {CALIBRATION_IMAGES} held-out images per set (not the
        metrics&apos; images) and stops once the forget set is down to the target
        {recipe?.calibrated && `; α and learning rate switch to ${recipe.calibrated.source}`}
      </span>
      {choice.on && (
        <>
          <SelectField
            label="target"
            testId="setting-target"
            value={choice.goal}
            options={GOALS}
            disabled={disabled}
            onChange={(value) => setStopAtTarget({ goal: value as CalibrationGoalKind })}
            help={
              choice.goal === 'retrained'
                ? 'the forget PSNR of the model trained without the forget set (shipped, or trained in the comparison below)'
                : choice.goal === 'unseen-class'
                  ? "the original's forget PSNR less what a retrained reference of this model loses on the class it never saw"
                  : undefined
            }
          />
          {choice.goal === 'psnr' && (
            <div className="field">
              <label htmlFor={id}>target forget PSNR (dB)</label>
              <input
                id={id}
                data-testid="setting-target-psnr"
                type="number"
                step={0.1}
                min={0}
                value={psnrText}
                disabled={disabled}
                aria-invalid={!psnrUsable}
                onChange={(e) => {
                  setPsnrText(e.target.value);
                  if (Number(e.target.value) > 0) setStopAtTarget({ forgetPsnr: Number(e.target.value) });
                }}
              />
            </div>
          )}
          <WholeNumberField
            label="measure every"
            testId="setting-calibrate-every"
            value={choice.every}
            disabled={disabled}
            onValid={(every) => setStopAtTarget({ every })}
            help="steps between measurements (sooner near the target, rarer where measuring would cost over 10% of the run)"
          />
        </>
      )}
    </fieldset>
  );
}

const SAMPLERS: { value: DiffusionSampler; label: string }[] = [
  { value: 'ancestral', label: 'ancestral (DDPM)' },
  { value: 'ddim', label: 'DDIM (deterministic)' },
];

/** The diffusion sampler behind the grid and the metrics. */
function SamplerField({ defaultSampler, disabled }: { defaultSampler: DiffusionSampler; disabled: boolean }) {
  const sampler = useStudio((s) => s.sampler);
  const setSampler = useStudio((s) => s.setSampler);
  return (
    <SelectField
      label="sampler"
      testId="setting-sampler"
      value={sampler ?? defaultSampler}
      options={SAMPLERS}
      disabled={disabled}
      onChange={(value) => setSampler(value as DiffusionSampler)}
      help={`the model's default: ${defaultSampler}. Ancestral adds noise at every step, as the official evaluation does; DDIM at few steps fills the hole further from the truth`}
    />
  );
}

/** Steps of the diffusion sampler behind the grid and the metrics: fewer is faster, more is sharper. */
function SampleStepsField({ defaultSteps, disabled }: { defaultSteps: number; disabled: boolean }) {
  const sampleSteps = useStudio((s) => s.sampleSteps);
  const setSampleSteps = useStudio((s) => s.setSampleSteps);
  return (
    <WholeNumberField
      label="sampling steps"
      testId="setting-sample-steps"
      value={sampleSteps ?? defaultSteps}
      disabled={disabled}
      onValid={setSampleSteps}
      help={`network evaluations per reconstruction (the model's default: ${defaultSteps})`}
    />
  );
}

/** Held-out images per set behind the metrics: the evaluation's cost grows with them (minutes on a slow adapter). */
function EvalImagesField({ disabled }: { disabled: boolean }) {
  const evalImages = useStudio((s) => s.evalImages);
  const setEvalImages = useStudio((s) => s.setEvalImages);
  return (
    <WholeNumberField
      label="evaluation images"
      testId="setting-eval"
      value={evalImages}
      disabled={disabled}
      onValid={setEvalImages}
      help="held-out images per set for the metrics after a run: fewer is faster, more is steadier"
    />
  );
}

interface WholeNumberFieldProps {
  label: string;
  testId: string;
  value: number;
  disabled: boolean;
  onValid(n: number): void;
  help: string;
}

/** A count of 1 or more: the typed text stays as typed, and only a usable count reaches the store. */
function WholeNumberField({ label, testId, value, disabled, onValid, help }: WholeNumberFieldProps) {
  const id = useId();
  const [text, setText] = useState(String(value));
  const [shownValue, setShownValue] = useState(value);
  // Follow changes made elsewhere (another model's default, a restored setting).
  if (value !== shownValue) {
    setShownValue(value);
    if (Number(text) !== value) setText(String(value));
  }
  const usable = (t: string) => t.trim() !== '' && Number.isInteger(Number(t)) && Number(t) >= 1;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        data-testid={testId}
        type="number"
        min={1}
        step={1}
        value={text}
        disabled={disabled}
        aria-invalid={!usable(text)}
        onChange={(e) => {
          setText(e.target.value);
          if (usable(e.target.value)) onValid(Number(e.target.value));
        }}
      />
      <span className="help">{help}</span>
    </div>
  );
}

interface SelectFieldProps {
  label: string;
  testId: string;
  value: string;
  options: { value: string; label: string }[];
  disabled: boolean;
  onChange(value: string): void;
  help?: string;
}

function SelectField({ label, testId, value, options, disabled, onChange, help }: SelectFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} data-testid={testId} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {help && <span className="help">{help}</span>}
    </div>
  );
}

interface NumberFieldProps {
  spec: FieldSpec;
  value: number;
  disabled: boolean;
  onValid(n: number): void;
  /** Tells the store whether the typed text is usable, so Start can refuse half-typed settings. */
  onValidity(valid: boolean): void;
}

/** Keeps the typed text (valid or not) locally and forwards only accepted numbers to the store. */
function NumberField({ spec, value, disabled, onValid, onValidity }: NumberFieldProps) {
  const rule = SETTING_RULES[spec.key];
  const id = useId();
  const [text, setText] = useState(String(value));
  const [shownValue, setShownValue] = useState(value);
  // Follow changes made elsewhere, but never rewrite text that already means this value ("0.0" while typing "0.05").
  if (value !== shownValue) {
    setShownValue(value);
    if (parse(text) !== value) setText(String(value));
  }
  const parsed = parse(text);
  const valid = Number.isFinite(parsed) && rule.accepts(parsed);

  return (
    <div className="field">
      <label htmlFor={id}>{spec.label}</label>
      <input
        id={id}
        type="number"
        data-testid={spec.testId}
        step={spec.step}
        min={spec.min}
        value={text}
        disabled={disabled}
        aria-invalid={!valid}
        aria-describedby={[!valid && `${id}-hint`, spec.help && `${id}-help`].filter(Boolean).join(' ') || undefined}
        onChange={(e) => {
          const next = e.target.value;
          setText(next);
          const n = parse(next);
          const usable = Number.isFinite(n) && rule.accepts(n);
          onValidity(usable);
          if (usable) onValid(n);
        }}
      />
      {!valid && (
        <span id={`${id}-hint`} className="hint">
          {rule.rule}
        </span>
      )}
      {spec.help && (
        <span id={`${id}-help`} className="help">
          {spec.help}
        </span>
      )}
    </div>
  );
}
