namespace SeqClassify.MLNet.Tests;

/// <summary>
/// Issue 30, item 1: the trainer and its options are named for what they train (SequenceClassification,
/// whatever the encoder); the first names, from when it trained RNNs only, still compile and train the
/// same model. (Models saved before the rename load unchanged: the CLI's committed fixtures, written at
/// cfeaedf, ModelsWrittenBeforeTheSettingsWereChecksummedLoadAndPredictAsWhenWritten.)
/// </summary>
[TestFixture]
public class RenamedApiTests
{
#pragma warning disable CS0618 // the obsolete names are what this tests
    [Test]
    public void TheFormerNamesTrainTheSameModelAsTheNewOnes()
    {
        var ml = new MLContext(seed: 1);
        var data = Pipelines.Sentences(ml);
        var small = Pipelines.Small();
        small.Seed = 5;
        var old = new RnnTrainerOptions
        {
            Seed = 5,
            PretrainedEmbeddings = small.PretrainedEmbeddings, EmbeddingDimension = small.EmbeddingDimension, HiddenSize = small.HiddenSize, Epochs = small.Epochs,
            BatchSize = small.BatchSize, LearningRate = small.LearningRate, Bidirectional = small.Bidirectional,
        };
        IDataView Ids(IDataView d) => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text"))
            .Append(ml.Transforms.Text.MapTokensToIds()).Fit(d).Transform(d);

        RnnTrainer former = ml.MulticlassClassification.Trainers.Rnn(old);
        var scoredByFormer = former.Fit(Ids(data)).Score(Ids(data));
        var scoredByNew = new MLContext(seed: 1).MulticlassClassification.Trainers.SequenceClassification(small).Fit(Ids(data)).Score(Ids(data));

        Assert.That(scoredByFormer, Is.EqualTo(scoredByNew));
        Assert.That(former, Is.InstanceOf<SequenceClassificationTrainer>());
        RnnTrainerOptions recipe = RnnTrainerOptions.FineTuning("folder");
        Assert.That((recipe.LearningRate, recipe.Epochs, recipe.Pooling), Is.EqualTo((SequenceClassificationOptions.FineTuning("folder").LearningRate, 3, SeqClassify.Torch.SequencePooling.Mean)));
    }

    [Test]
    public void TheFormerNamesAreHiddenAndSayWhatToUse()
    {
        foreach (var type in new[] { typeof(RnnTrainer), typeof(RnnTrainerOptions) })
        {
            var obsolete = (ObsoleteAttribute)Attribute.GetCustomAttribute(type, typeof(ObsoleteAttribute))!;
            Assert.That(obsolete.Message, Does.StartWith("Use SequenceClassification"), type.Name);
            Assert.That(Attribute.GetCustomAttribute(type, typeof(System.ComponentModel.EditorBrowsableAttribute)), Is.Not.Null, type.Name);
        }
    }
#pragma warning restore CS0618
}
